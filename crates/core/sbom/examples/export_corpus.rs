//! Write CycloneDX 1.6 and SPDX 2.3 exports of SBOM files into a directory, for validation by
//! the official tools (see `oracle/validate_exports.sh`).
//!
//! `cargo run --example export_corpus -- OUT_DIR FILE_OR_DIR...`
use std::path::{Path, PathBuf};

fn collect(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else if matches!(
        p.extension().and_then(|x| x.to_str()),
        Some("json" | "xml" | "spdx")
    ) {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .expect("usage: export_corpus OUT_DIR FILE_OR_DIR..."),
    );
    std::fs::create_dir_all(&out).unwrap();
    let mut files = Vec::new();
    for a in args {
        collect(Path::new(&a), &mut files);
    }
    let mut n = 0;
    for f in &files {
        let parsed = match postmarket_sbom::parse(&std::fs::read(f).unwrap(), &Default::default()) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("skip {}: {e}", f.display());
                continue;
            }
        };
        let stem: String = f
            .to_string_lossy()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let stem = stem.trim_start_matches('_').to_string();
        let cdx = postmarket_sbom::to_cyclonedx_json(&parsed.sbom);
        let spdx = postmarket_sbom::to_spdx_json(&parsed.sbom);
        std::fs::write(
            out.join(format!("{stem}.cdx.json")),
            serde_json::to_string_pretty(&cdx).unwrap(),
        )
        .unwrap();
        std::fs::write(
            out.join(format!("{stem}.spdx.json")),
            serde_json::to_string_pretty(&spdx).unwrap(),
        )
        .unwrap();
        n += 1;
    }
    println!("exported {n} SBOMs to {}", out.display());
}
