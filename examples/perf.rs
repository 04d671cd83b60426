use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let t = Instant::now();
    let mut r = remit::x12::SliceReader::new(&bytes);
    let mut n = 0u64;
    while let Some(s) = r.next_segment().unwrap() {
        n += s.raw().len() as u64 & 1;
    }
    let e = t.elapsed();
    println!(
        "lex: {:.0} MB/s ({n})",
        bytes.len() as f64 / e.as_secs_f64() / 1e6
    );
    let t = Instant::now();
    let s = remit::scan::scan_slice(&bytes, &mut remit::scan::Discard);
    let e = t.elapsed();
    println!(
        "parse: {:.0} MB/s claims {}",
        bytes.len() as f64 / e.as_secs_f64() / 1e6,
        s.claims
    );
    let t = Instant::now();
    let s = remit::scan::scan_reader(
        std::fs::File::open(&path).unwrap(),
        &mut remit::scan::Discard,
    );
    let e = t.elapsed();
    println!(
        "parse stream: {:.0} MB/s claims {}",
        bytes.len() as f64 / e.as_secs_f64() / 1e6,
        s.claims
    );
}
