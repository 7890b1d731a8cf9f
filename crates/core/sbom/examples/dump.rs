//! Print the `sbom parse --json` output for a file: `cargo run --example dump -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: dump FILE");
    let bytes = std::fs::read(&path).expect("read file");
    match postmarket_sbom::parse(&bytes, &postmarket_sbom::ParseOptions::default()) {
        Ok(p) => println!(
            "{}",
            serde_json::to_string_pretty(&postmarket_sbom::ParseOutput::new(&p)).unwrap()
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
