//! The layer rule: a module imports only from the layers below it. The base (`core`, with the
//! generated translations `i18n`) names no feature; `domain` uses only the base; `components`
//! only those two; each feature only the base and the features listed before it; the app shell
//! (`lib.rs`, `pages.rs`) sits on top.

use std::path::{Path, PathBuf};

/// Every top-level module of `app/src`, lowest layer first.
const LAYERS: &[&[&str]] = &[
    &["core", "i18n"],
    &["domain"],
    &["components"],
    &["accounts"],
    &["organizations"],
    &["wizard"],
    &["licensing"],
    &["upgrade"],
    &["meetings"],
    &["mailbox"],
    &["status"],
    &["pages", "lib"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a source file belongs to: its first folder, or its own name.
fn module_of(file: &Path, src: &Path) -> String {
    let relative = file.strip_prefix(src).expect("a file under src");
    let first = relative
        .components()
        .next()
        .expect("a path")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.trim_end_matches(".rs").to_owned()
}

/// The top-level modules a line of source names through `crate::`, including `crate::{a, b::c}`.
fn crate_modules(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find_map(|(i, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    (depth == 0).then_some(i)
                })
                .unwrap_or(group.len());
            let mut depth = 0;
            let mut item = String::new();
            for c in group[..end].chars().chain(std::iter::once(',')) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(leading_ident(item.trim()));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
        } else {
            found.push(leading_ident(rest));
        }
    }
    found.retain(|module| !module.is_empty());
    found
}

fn leading_ident(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            into.push(path);
        }
    }
}

/// Every import in `src` that points to a layer above (or beside) its own.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let module = module_of(&file, src);
        let Some(own) = layer_of(&module) else {
            found.push(format!(
                "{}: the module `{module}` has no layer in LAYERS",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("a readable file");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for target in crate_modules(code) {
                let allowed = target == module
                    || layer_of(&target)
                        .is_some_and(|layer| layer < own || LAYERS[own].contains(&target.as_str()));
                if !allowed {
                    found.push(format!(
                        "{}:{}: `{module}` imports `crate::{target}` from a layer above or beside it",
                        file.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn modules_import_only_from_layers_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(found.is_empty(), "layer rule broken:\n{}", found.join("\n"));
}

#[test]
fn imports_are_read_from_paths_and_groups() {
    assert_eq!(crate_modules("use crate::core::error::AppError;"), ["core"]);
    assert_eq!(
        crate_modules("use crate::{accounts::{Member, session}, domain::Money};"),
        ["accounts", "domain"]
    );
    assert_eq!(
        crate_modules("let x = crate::wizard::service::start(crate::i18n::Locale::en);"),
        ["wizard", "i18n"]
    );
}

#[test]
fn a_feature_naming_one_above_it_is_reported() {
    let src = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    std::fs::create_dir_all(src.join("licensing")).expect("a folder");
    std::fs::write(
        src.join("licensing/mod.rs"),
        "use crate::upgrade::service::complete_order;\nuse crate::core::error::AppError;\n",
    )
    .expect("written");
    let found = violations(&src);
    std::fs::remove_dir_all(&src).ok();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("`licensing` imports `crate::upgrade`"));
}
