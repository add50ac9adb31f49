//! The buffer is sans-IO: its time comes from the caller only. No library source reads a clock (unit tests
//! and doc examples, which play the caller, may).

use std::path::Path;

/// Clock reads a sans-IO library must not make.
const CLOCKS: [&str; 3] = ["Instant::now", "SystemTime::now", "UNIX_EPOCH"];

/// The code of a source file, without comments (doc examples included) and without its `#[cfg(test)]`
/// module (unit tests close each file).
fn library_code(source: &str) -> String {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    code.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_library_code_reads_a_clock() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        files += 1;
        let code = library_code(&std::fs::read_to_string(&path).unwrap());
        for clock in CLOCKS {
            assert!(!code.contains(clock), "{} reads a clock ({clock})", path.display());
        }
    }
    assert!(files >= 5, "only {files} source files found in {}", src.display());
}

#[test]
fn the_scan_sees_code_and_skips_comments_and_unit_tests() {
    let code = library_code("let a = Instant::now();\n// Instant::now()\n#[cfg(test)]\nmod t { SystemTime::now() }");
    assert!(code.contains("Instant::now"));
    assert!(!code.contains("SystemTime::now"));
    assert_eq!(library_code("//! let t0 = Instant::now();\nlet x = 1;"), "\nlet x = 1;");
}
