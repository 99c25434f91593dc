//! Every kind of event the code records in the audit log has words on the audit log page, so an
//! admin never reads a stored code such as `order.paid`.

use std::path::{Path, PathBuf};

/// The namespaces of recorded kinds (`person.removed`, `order.paid`, …).
const NAMESPACES: &[&str] = &[
    "device",
    "domain",
    "license",
    "licenses",
    "order",
    "organization",
    "people",
    "person",
    "policy",
    "sign_in",
    "wizard",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// The `namespace.name` literals in `text`, in double or single (SQL) quotes: each one found
/// where it starts, so apostrophes elsewhere (comments, lifetimes) cannot confuse the scan.
fn kinds_in(text: &str) -> Vec<String> {
    let mut kinds = Vec::new();
    for quote in ['"', '\''] {
        for namespace in NAMESPACES {
            let opening = format!("{quote}{namespace}.");
            for (at, _) in text.match_indices(&opening) {
                let rest = &text[at + opening.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() && name != "csv" && rest[name.len()..].starts_with(quote) {
                    kinds.push(format!("{namespace}.{name}"));
                }
            }
        }
    }
    kinds
}

#[test]
fn every_recorded_kind_has_words_on_the_audit_log_page() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let page = std::fs::read_to_string(src.join("admin/ui/audit.rs")).expect("the audit page");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // The wizard records its states as `wizard.<state>` with a computed name.
    let wizard_states =
        ["domain_pending", "domain_verified", "abandoned"].map(|state| format!("wizard.{state}"));
    let mut unnamed: Vec<String> = files
        .iter()
        .filter(|file| !file.ends_with("admin/ui/audit.rs"))
        .flat_map(|file| kinds_in(&std::fs::read_to_string(file).expect("a source file")))
        .chain(wizard_states)
        .filter(|kind| !page.contains(&format!("\"{kind}\" =>")))
        .collect();
    unnamed.sort();
    unnamed.dedup();
    assert!(
        unnamed.is_empty(),
        "kinds with no words in ActionName: {unnamed:?}"
    );
}

#[test]
fn the_scan_finds_kinds_in_rust_and_in_sql() {
    let found = kinds_in(
        r#"admin.audit(tx, "person.removed", json); "select 'license.assigned'"; "people.csv""#,
    );
    assert_eq!(found, ["person.removed", "license.assigned"]);
}
