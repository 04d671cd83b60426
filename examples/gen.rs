fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mb: u64 = args[1].parse().unwrap();
    let cfg = remit::synth::SynthConfig::default().with_claims(2000);
    let f = std::io::BufWriter::new(std::fs::File::create(&args[2]).unwrap());
    let s = remit::synth::write_until(&cfg, f, mb << 20).unwrap();
    let f = std::io::BufWriter::new(std::fs::File::create(&args[3]).unwrap());
    remit::synth::write_claims_matching(&cfg, &s, f).unwrap();
    eprintln!("{s:?}");
}
