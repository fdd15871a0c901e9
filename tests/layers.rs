//! The library's modules form layers: no import cycle between the top-level modules, nor between
//! the files of one folder (`run/`, `view/`, `data/`, `rules/`, `wasm/`), and the core never
//! names the facade. Read from the `use` lines and paths of `src/` (the binaries are left out:
//! they sit on top).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().unwrap() != "bin" {
                files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a source file: `src/run/trainer.rs` -> `["run", "trainer"]`,
/// `src/rules/mod.rs` -> `["rules"]`, `src/lib.rs` -> `[]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// Module paths a file refers to: `crate::a::b...` and `super::b...` (with `{...}` groups read
/// one level deep), as absolute paths of lowercase segments (types and functions dropped later).
fn references(text: &str, module: &[String], is_dir_module: bool) -> Vec<Vec<String>> {
    // The text without comments.
    let code: String = text.lines().map(|l| l.split("//").next().unwrap()).collect::<Vec<_>>().join("\n");
    let parent: Vec<String> =
        if is_dir_module { module.to_vec() } else { module[..module.len().saturating_sub(1)].to_vec() };
    let mut out = Vec::new();
    for (prefix, base) in [("crate::", Vec::<String>::new()), ("super::", parent)] {
        let mut rest = code.as_str();
        while let Some(i) = rest.find(prefix) {
            rest = &rest[i + prefix.len()..];
            let path_end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            let path = &rest[..path_end];
            let mut segs: Vec<String> = base.clone();
            segs.extend(path.split("::").filter(|s| !s.is_empty()).map(String::from));
            if path.ends_with("::") && rest[path_end..].starts_with('{') {
                let group = &rest[path_end + 1..rest[path_end..].find('}').map_or(rest.len(), |j| path_end + j)];
                for item in group.split(',') {
                    let first = item.trim().split("::").next().unwrap_or("").trim();
                    if !first.is_empty() {
                        let mut p = segs.clone();
                        p.push(first.to_string());
                        out.push(p);
                    }
                }
            } else {
                out.push(segs);
            }
        }
    }
    out
}

/// Whether the directed graph has a cycle; returns one if so.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|s| s == m).unwrap();
                    let mut c = stack[start..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(m, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn modules_form_layers_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let modules: BTreeSet<Vec<String>> = all.iter().map(|f| module_of(&src, f)).collect();
    // Top level: "run" -> {"data", "rules", ...}; one folder: "run/trainer" -> {"run/config", ...}.
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut within: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for f in &all {
        let module = module_of(&src, f);
        if module.is_empty() {
            continue; // lib.rs only declares the modules
        }
        let is_dir = f.file_name().unwrap() == "mod.rs";
        let text = std::fs::read_to_string(f).unwrap();
        // The unit tests at the bottom of a file may reach anywhere.
        let text = text.split("#[cfg(test)]").next().unwrap();
        for r in references(text, &module, is_dir) {
            // The longest prefix of the reference that is a module file.
            let Some(target) = (1..=r.len()).rev().map(|n| r[..n].to_vec()).find(|p| modules.contains(p)) else {
                continue;
            };
            if target[0] != module[0] {
                top.entry(module[0].clone()).or_default().insert(target[0].clone());
            } else if module.len() > 1 && target.len() > 1 && target[..1] == module[..1] && target != module {
                within
                    .entry(module[0].clone())
                    .or_default()
                    .entry(module.join("/"))
                    .or_default()
                    .insert(target.join("/"));
            }
        }
    }
    assert!(top.contains_key("run") && top.contains_key("view"), "the scan found the modules: {top:?}");
    if let Some(c) = cycle(&top) {
        panic!("import cycle between top-level modules: {}", c.join(" -> "));
    }
    for (folder, g) in &within {
        if let Some(c) = cycle(g) {
            panic!("import cycle inside {folder}/: {}", c.join(" -> "));
        }
    }
    for (m, deps) in &top {
        assert!(m == "wasm" || !deps.contains("wasm"), "{m} names the facade");
    }
    // The math and the rules know nothing of runs, data or views.
    for m in ["rng", "kernels", "activation", "loss", "network", "decorrelation", "optimizer", "rules"] {
        for up in ["data", "run", "view"] {
            assert!(!top.get(m).is_some_and(|d| d.contains(up)), "{m} depends on {up}: {:?}", top[m]);
        }
    }
    for up in ["run", "view"] {
        assert!(!top.get("data").is_some_and(|d| d.contains(up)), "data depends on {up}");
    }
    assert!(!top.get("run").is_some_and(|d| d.contains("view")), "run depends on view");
}
