//! The interchange and group envelopes (ISA/GS … GE/IEA), their counts and
//! control numbers, and the loop that streams transactions into them until
//! a claim count or a byte budget is reached.
//!
//! Transactions are built one at a time by a [`TransactionWriter`] and
//! committed whole, so memory holds at most one transaction. Envelopes are
//! opened lazily when a non-empty transaction is committed.

use std::io::{self, Write};

use jiff::civil::Date;

use super::config::SynthConfig;
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

/// Interchange identity of one kind of file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ids {
    /// GS01.
    pub(crate) functional: &'static [u8],
    /// GS08.
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
    /// Envelope identity.
    const IDS: Ids;
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
    /// Renders the header and trailer for control number `st02`; returns
    /// the envelope date, the totals and the three parts of the transaction.
    fn frame(&mut self, st02: u32) -> (Date, Tally, [&[u8]; 3]);
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

#[derive(Clone, Copy, Debug)]
struct Open {
    control: u64,
    count: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct State {
    isa: Option<Open>,
    gs: Option<Open>,
}

struct Envelopes<'a, W> {
    out: W,
    cfg: &'a SynthConfig,
    ids: Ids,
    enc: Enc,
    state: State,
    written: Written,
}

const CONTROL_MODULUS: u64 = 1_000_000_000;

impl<W: Write> Envelopes<'_, W> {
    /// The ST02 the next committed transaction will get.
    fn next_st02(&self) -> u32 {
        match self.state.gs {
            Some(gs) if gs.count < self.cfg.transactions_per_group as u64 => gs.count as u32 + 1,
            _ => 1,
        }
    }

    /// Renders into `enc` what must precede transaction `t` and returns the
    /// state after it.
    fn opening(&self, state: State, t: u64, date: Date, enc: &mut Enc) -> State {
        let mut s = state;
        let group_full =
            s.gs.is_none_or(|g| g.count >= self.cfg.transactions_per_group as u64);
        if !group_full {
            return s;
        }
        if let Some(gs) = s.gs.take() {
            group_trailer(enc, gs);
        }
        let isa_full = s
            .isa
            .is_none_or(|i| i.count >= self.cfg.groups_per_interchange as u64);
        if isa_full {
            if let Some(isa) = s.isa.take() {
                interchange_trailer(enc, isa);
            }
            let control = (t + 1) % CONTROL_MODULUS;
            interchange_header(
                enc,
                &self.ids,
                control,
                t,
                date,
                self.cfg.delimiters.component,
            );
            s.isa = Some(Open { control, count: 0 });
        }
        let control = (t + 1) % CONTROL_MODULUS;
        group_header(enc, &self.ids, control, t, date);
        s.gs = Some(Open { control, count: 0 });
        if let Some(isa) = s.isa.as_mut() {
            isa.count += 1;
        }
        s
    }

    /// Bytes the file would have if closed right after the current transaction.
    fn projected<T: TransactionWriter>(&mut self, t: u64, tx: &mut T) -> u64 {
        let st02 = self.next_st02();
        let (date, _, parts) = tx.frame(st02);
        let tx_len: usize = parts.iter().map(|p| p.len()).sum();
        let mut enc = std::mem::replace(&mut self.enc, Enc::new(self.cfg));
        enc.clear();
        let mut s = self.opening(self.state, t, date, &mut enc);
        if let Some(gs) = s.gs.as_mut() {
            gs.count += 1;
        }
        close(&mut enc, s);
        let total = self.written.bytes + (enc.buf.len() + tx_len) as u64;
        self.enc = enc;
        total
    }

    fn commit<T: TransactionWriter>(&mut self, t: u64, tx: &mut T) -> io::Result<()> {
        let st02 = self.next_st02();
        let (date, tally, parts) = tx.frame(st02);
        self.enc.clear();
        let before = self.state;
        let mut enc = std::mem::replace(&mut self.enc, Enc::new(self.cfg));
        self.state = self.opening(before, t, date, &mut enc);
        self.written.groups +=
            u64::from(self.state.gs.map(|g| g.control) != before.gs.map(|g| g.control));
        self.written.interchanges +=
            u64::from(self.state.isa.map(|i| i.control) != before.isa.map(|i| i.control));
        if let Some(gs) = self.state.gs.as_mut() {
            gs.count += 1;
        }
        write_all(&mut self.out, &mut self.written.bytes, &enc.buf)?;
        self.enc = enc;
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
    if let Some(gs) = s.gs {
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
    let mut env = Envelopes {
        out,
        cfg: u.cfg,
        ids: T::IDS,
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
