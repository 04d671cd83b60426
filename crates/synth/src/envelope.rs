//! The interchange and group envelopes (ISA/GS … GE/IEA), their counts and
//! control numbers, and the loop that streams transactions into them until
//! a claim count or a byte budget is reached.
//!
//! Transactions are built one at a time by a [`TransactionWriter`] and
//! committed whole, so memory holds at most one transaction. Envelopes are
//! opened lazily when a non-empty transaction is committed.

use std::io::{self, Write};

use jiff::civil::Date;

use super::encode::Enc;
use super::universe::{Plan, Universe};

/// Totals of what a writer has put in the current transaction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) claims: u64,
    pub(crate) lines: u64,
    pub(crate) billed: i64,
    pub(crate) paid: i64,
    pub(crate) unmatched: u64,
}

/// Envelope identity of one kind of transaction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ids {
    /// GS01.
    pub(crate) functional: &'static [u8],
    /// GS08; a group holds transactions of one version only.
    pub(crate) version: &'static [u8],
    /// ISA06 and GS02.
    pub(crate) sender: &'static [u8],
    /// ISA08 and GS03.
    pub(crate) receiver: &'static [u8],
}

/// Builds one transaction (ST … SE) at a time.
pub(crate) trait TransactionWriter {
    /// A snapshot to undo the last claim.
    type Mark: Copy;
    /// Starts transaction `plan`, forgetting the previous one.
    fn begin(&mut self, plan: &Plan);
    /// Adds claim slot `k` (which may write nothing).
    fn add(&mut self, k: u64);
    /// Snapshot of the current state.
    fn mark(&self) -> Self::Mark;
    /// Returns to a snapshot.
    fn rollback(&mut self, mark: Self::Mark);
    /// Claims (CLP or CLM) written so far.
    fn claims(&self) -> u64;
    /// Bytes of the claims so far.
    fn body_len(&self) -> usize;
    /// Envelope identity and date (ISA09, GS04) of the current transaction.
    fn envelope(&self) -> (Ids, Date);
    /// Renders the header and trailer for control number `st02`; returns
    /// the totals and the three parts of the transaction.
    fn frame(&mut self, st02: u32) -> (Tally, [&[u8]; 3]);
}

/// When to stop writing.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stop {
    /// After this many claim slots.
    Slots(u64),
    /// Before the file would exceed this many bytes.
    Bytes(u64),
}

/// What has been written, for [`super::SynthSummary`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Written {
    pub(crate) interchanges: u64,
    pub(crate) groups: u64,
    pub(crate) transactions: u64,
    pub(crate) slots: u64,
    pub(crate) bytes: u64,
    pub(crate) tally: Tally,
}

/// An open envelope: its control number and how many children it holds.
#[derive(Clone, Copy, Debug)]
struct Open {
    control: u64,
    count: u64,
}

/// The open interchange and group, if any.
#[derive(Clone, Copy, Debug, Default)]
struct State {
    isa: Option<Open>,
    gs: Option<(Open, &'static [u8])>,
}

/// How transactions nest into groups and groups into interchanges.
struct Layout {
    per_group: u64,
    per_interchange: u64,
    component: u8,
}

const CONTROL_MODULUS: u64 = 1_000_000_000;

impl Layout {
    /// Renders into `enc` the envelopes to close and open before
    /// transaction `t`; returns the state with `t` counted in its group.
    fn admit(&self, s: State, t: u64, ids: &Ids, date: Date, enc: &mut Enc) -> State {
        let fits =
            s.gs.is_some_and(|(g, version)| g.count < self.per_group && version == ids.version);
        let mut s = if fits {
            s
        } else {
            self.open_group(s, t, ids, date, enc)
        };
        if let Some((g, _)) = s.gs.as_mut() {
            g.count += 1;
        }
        s
    }

    fn open_group(&self, mut s: State, t: u64, ids: &Ids, date: Date, enc: &mut Enc) -> State {
        if let Some((gs, _)) = s.gs.take() {
            group_trailer(enc, gs);
        }
        let control = (t + 1) % CONTROL_MODULUS;
        if s.isa.is_none_or(|i| i.count >= self.per_interchange) {
            if let Some(isa) = s.isa.take() {
                interchange_trailer(enc, isa);
            }
            interchange_header(enc, ids, control, t, date, self.component);
            s.isa = Some(Open { control, count: 0 });
        }
        group_header(enc, ids, control, t, date);
        s.gs = Some((Open { control, count: 0 }, ids.version));
        if let Some(isa) = s.isa.as_mut() {
            isa.count += 1;
        }
        s
    }
}

struct Envelopes<W> {
    out: W,
    layout: Layout,
    enc: Enc,
    state: State,
    written: Written,
}

impl<W: Write> Envelopes<W> {
    /// Bytes the file would have if closed right after the current transaction.
    fn projected<T: TransactionWriter>(&mut self, t: u64, tx: &mut T) -> u64 {
        let (ids, date) = tx.envelope();
        self.enc.clear();
        let s = self.layout.admit(self.state, t, &ids, date, &mut self.enc);
        let st02 = s.gs.map_or(1, |(g, _)| g.count);
        close(&mut self.enc, s);
        let (_, parts) = tx.frame(st02 as u32);
        let tx_len: usize = parts.iter().map(|p| p.len()).sum();
        self.written.bytes + (self.enc.buf.len() + tx_len) as u64
    }

    fn commit<T: TransactionWriter>(&mut self, t: u64, tx: &mut T) -> io::Result<()> {
        let (ids, date) = tx.envelope();
        self.enc.clear();
        self.state = self.layout.admit(self.state, t, &ids, date, &mut self.enc);
        let (group, _) = self.state.gs.expect("a transaction is in a group");
        if group.count == 1 {
            self.written.groups += 1;
            self.written.interchanges += u64::from(self.state.isa.is_some_and(|i| i.count == 1));
        }
        write_all(&mut self.out, &mut self.written.bytes, &self.enc.buf)?;
        let (tally, parts) = tx.frame(group.count as u32);
        for part in parts {
            write_all(&mut self.out, &mut self.written.bytes, part)?;
        }
        self.written.transactions += 1;
        add_tally(&mut self.written.tally, tally);
        Ok(())
    }

    fn finish(mut self) -> io::Result<Written> {
        self.enc.clear();
        close(&mut self.enc, self.state);
        write_all(&mut self.out, &mut self.written.bytes, &self.enc.buf)?;
        self.out.flush()?;
        Ok(self.written)
    }
}

fn write_all<W: Write>(out: &mut W, bytes: &mut u64, buf: &[u8]) -> io::Result<()> {
    out.write_all(buf)?;
    *bytes += buf.len() as u64;
    Ok(())
}

fn add_tally(total: &mut Tally, t: Tally) {
    total.claims += t.claims;
    total.lines += t.lines;
    total.billed += t.billed;
    total.paid += t.paid;
    total.unmatched += t.unmatched;
}

fn close(enc: &mut Enc, s: State) {
    if let Some((gs, _)) = s.gs {
        group_trailer(enc, gs);
    }
    if let Some(isa) = s.isa {
        interchange_trailer(enc, isa);
    }
}

/// A time of day (HHMM) that varies with the transaction.
fn time_of(e: &mut Enc, t: u64) {
    e.raw_pad(7 + t % 12, 2).raw_pad(t * 7 % 60, 2);
}

fn padded(e: &mut Enc, id: &[u8]) {
    e.sep().raw(id);
    for _ in id.len()..15 {
        e.byte(b' ');
    }
}

fn interchange_header(e: &mut Enc, ids: &Ids, control: u64, t: u64, date: Date, component: u8) {
    let blank = b"          ";
    e.seg(b"ISA")
        .el(b"00")
        .el(blank)
        .el(b"00")
        .el(blank)
        .el(b"ZZ");
    padded(e, ids.sender);
    e.el(b"ZZ");
    padded(e, ids.receiver);
    e.sep()
        .raw_pad(date.year() as u64 % 100, 2)
        .raw_pad(date.month() as u64, 2);
    e.raw_pad(date.day() as u64, 2).sep();
    time_of(e, t);
    let repetition = e.repetition();
    e.sep()
        .byte(repetition)
        .el(b"00501")
        .sep()
        .raw_pad(control, 9);
    e.el(b"0").el(b"T").sep().byte(component).end();
}

fn group_header(e: &mut Enc, ids: &Ids, control: u64, t: u64, date: Date) {
    e.seg(b"GS")
        .el(ids.functional)
        .el(ids.sender)
        .el(ids.receiver)
        .date(date)
        .sep();
    time_of(e, t);
    e.num(control).el(b"X").el(ids.version).end();
}

fn group_trailer(e: &mut Enc, gs: Open) {
    e.seg(b"GE").num(gs.count).num(gs.control).end();
}

fn interchange_trailer(e: &mut Enc, isa: Open) {
    e.seg(b"IEA")
        .num(isa.count)
        .sep()
        .raw_pad(isa.control, 9)
        .end();
}

/// Streams transactions of `u` through `tx` into `out` until `stop`.
pub(crate) fn run<W: Write, T: TransactionWriter>(
    u: &Universe,
    tx: &mut T,
    stop: Stop,
    out: W,
) -> io::Result<Written> {
    let layout = Layout {
        per_group: u.cfg.transactions_per_group as u64,
        per_interchange: u.cfg.groups_per_interchange as u64,
        component: u.cfg.delimiters.component,
    };
    let mut env = Envelopes {
        out,
        layout,
        enc: Enc::new(u.cfg),
        state: State::default(),
        written: Written::default(),
    };
    let first = u.cfg.first_claim;
    let last = match stop {
        Stop::Slots(n) => first + n,
        Stop::Bytes(_) => u64::MAX,
    };
    let mut t = u.transaction_of(first);
    let mut next = first;
    loop {
        let plan = u.plan(t);
        let end = plan.end.min(last);
        if plan.first >= end {
            break;
        }
        tx.begin(&plan);
        next = fill(&mut env, tx, &plan, end, stop);
        if tx.claims() > 0 {
            env.commit(t, tx)?;
        }
        if next < end {
            break;
        }
        t += 1;
    }
    env.written.slots = next - first;
    env.finish()
}

/// Adds slots `plan.first..end` while they fit; returns the first slot left out.
fn fill<W: Write, T: TransactionWriter>(
    env: &mut Envelopes<W>,
    tx: &mut T,
    plan: &Plan,
    end: u64,
    stop: Stop,
) -> u64 {
    for k in plan.first..end {
        let mark = tx.mark();
        tx.add(k);
        if let Stop::Bytes(target) = stop
            && over_budget(env, tx, plan.t, target)
        {
            tx.rollback(mark);
            return k;
        }
    }
    end
}

/// True when the claim just added makes the file too big, unless it is the
/// first claim of the file (which is always kept).
fn over_budget<W: Write, T: TransactionWriter>(
    env: &mut Envelopes<W>,
    tx: &mut T,
    t: u64,
    target: u64,
) -> bool {
    let body = tx.body_len() as u64;
    // Headers, trailers and envelopes stay well below this margin.
    let margin = 64 * 1024 + body / 4;
    if env.written.bytes + body + margin < target {
        return false;
    }
    let first_claim = env.written.transactions == 0 && tx.claims() <= 1;
    !first_claim && env.projected(t, tx) > target
}
