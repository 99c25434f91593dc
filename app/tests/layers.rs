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
    &["policies"],
    &["accounts"],
    &["organizations"],
    &["wizard"],
    &["licensing"],
    &["upgrade"],
    &["meetings"],
    &["people"],
    &["admin"],
    &["mailbox"],
    &["status"],
    &["pages", "lib"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The module path of a source file under `src`: `licensing/api.rs` is `["licensing", "api"]`,
/// `licensing/mod.rs` is `["licensing"]`, `lib.rs` is `[]` (the crate root).
fn module_path(file: &Path, src: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("a file under src");
    let mut path: Vec<String> = relative
        .components()
        .map(|part| {
            part.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned()
        })
        .collect();
    if path
        .last()
        .is_some_and(|last| last == "mod" || last == "lib")
    {
        path.pop();
    }
    path
}

/// Source text without comments, so commented-out paths do not count and `//` inside a string
/// (an address, say) does not hide the code after it. Line breaks stay where they were.
fn without_comments(source: &str) -> String {
    let mut code = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                in_string = !in_string;
                code.push(c);
            }
            '\\' if in_string => {
                code.push(c);
                if let Some(escaped) = chars.next() {
                    code.push(escaped);
                }
            }
            '/' if !in_string && chars.peek() == Some(&'/') => {
                for rest in chars.by_ref() {
                    if rest == '\n' {
                        code.push('\n');
                        break;
                    }
                }
            }
            _ => code.push(c),
        }
    }
    code
}

/// The top-level modules a file names, with the line of each: through `crate::x`, through
/// `crate::{x, y::z}` groups over any number of lines, and through `super::` chains that climb to
/// the crate root from `module` (the file's own module path).
fn named_modules(source: &str, module: &[String]) -> Vec<(usize, String)> {
    let code = without_comments(source);
    let line_of = |offset: usize| code[..offset].matches('\n').count() + 1;
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let preceded_by_ident = code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        if preceded_by_ident {
            continue;
        }
        for target in after_path(&code[at + "crate::".len()..]) {
            found.push((line_of(at), target));
        }
    }
    for (at, _) in code.match_indices("super::") {
        let starts_chain = !code[..at].ends_with("super::")
            && !code[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !starts_chain {
            continue;
        }
        let mut rest = &code[at..];
        let mut climbs = 0;
        while let Some(next) = rest.strip_prefix("super::") {
            climbs += 1;
            rest = next;
        }
        // From `a/b.rs` (module a::b) one `super` reaches `a`, two reach the crate root; each
        // inline `mod x { .. }` around the path adds one level.
        if climbs >= module.len() + inline_depth(&code, at) {
            for target in after_path(rest) {
                found.push((line_of(at), target));
            }
        }
    }
    found.retain(|(_, target)| !target.is_empty());
    found
}

/// How many inline `mod x { .. }` blocks enclose `offset`.
fn inline_depth(code: &str, offset: usize) -> usize {
    let mut depth = 0;
    for (at, _) in code.match_indices("mod ") {
        let after = &code[at + "mod ".len()..];
        let name = leading_ident(after);
        let Some(open) = after[name.len()..].trim_start().strip_prefix('{') else {
            continue;
        };
        let body_start = code.len() - open.len();
        let mut level = 1;
        let body_end = open
            .char_indices()
            .find_map(|(i, c)| {
                match c {
                    '{' => level += 1,
                    '}' => level -= 1,
                    _ => {}
                }
                (level == 0).then_some(body_start + i)
            })
            .unwrap_or(code.len());
        if (body_start..body_end).contains(&offset) {
            depth += 1;
        }
    }
    depth
}

/// The first segment of a path, or of each item of a `{...}` group, at the start of `rest`.
fn after_path(rest: &str) -> Vec<String> {
    let Some(group) = rest.strip_prefix('{') else {
        return vec![leading_ident(rest)];
    };
    let mut found = Vec::new();
    let mut depth = 0;
    let mut item = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
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
    found.push(leading_ident(item.trim()));
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
        let path = module_path(&file, src);
        let module = path.first().cloned().unwrap_or_else(|| "lib".to_owned());
        let Some(own) = layer_of(&module) else {
            found.push(format!(
                "{}: the module `{module}` has no layer in LAYERS",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("a readable file");
        for (line, target) in named_modules(&text, &path) {
            let allowed = target == module
                || layer_of(&target)
                    .is_some_and(|layer| layer < own || LAYERS[own].contains(&target.as_str()));
            if !allowed {
                found.push(format!(
                    "{}:{line}: `{module}` imports `crate::{target}` from a layer above or beside it",
                    file.display()
                ));
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
fn imports_are_read_from_paths_groups_and_super_chains() {
    let here = ["licensing".to_owned(), "api".to_owned()];
    let targets = |source: &str| -> Vec<String> {
        named_modules(source, &here)
            .into_iter()
            .map(|(_, target)| target)
            .collect()
    };
    assert_eq!(targets("use crate::core::error::AppError;"), ["core"]);
    assert_eq!(
        targets("use crate::{\n    accounts::{Member, session},\n    domain::Money,\n};"),
        ["accounts", "domain"]
    );
    assert_eq!(
        targets("let x = crate::wizard::service::start(crate::i18n::Locale::en);"),
        ["wizard", "i18n"]
    );
    assert_eq!(targets("use super::super::upgrade::service;"), ["upgrade"]);
    assert_eq!(
        targets("use super::seats;"),
        Vec::<String>::new(),
        "within the feature"
    );
    assert_eq!(
        targets("// use crate::upgrade::x;\nlet url = \"https://x\"; crate::meetings::y();"),
        ["meetings"]
    );
}

#[test]
fn a_feature_naming_one_above_it_is_reported_with_its_line() {
    let src = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    std::fs::create_dir_all(src.join("licensing")).expect("a folder");
    std::fs::write(
        src.join("licensing/api.rs"),
        "use crate::core::error::AppError;\nuse crate::{\n    domain::Money,\n    upgrade::service,\n};\n",
    )
    .expect("written");
    let found = violations(&src);
    std::fs::remove_dir_all(&src).ok();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("api.rs:2: `licensing` imports `crate::upgrade`"),
        "{found:?}"
    );
}
