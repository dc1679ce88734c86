use super::*;
use std::fs;
use std::path::PathBuf;

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runbooks")
        .join(kind);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// `# expect: LINE: TEXT` comments at the top of a bad fixture.
/// A fixture file linted as the catalogue lints it.
fn lint_file(path: &Path) -> Vec<FileError> {
    lint(path, &std::fs::read_to_string(path).unwrap())
}

fn expectations(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|rest| {
            let (line, msg) = rest.split_once(": ").expect("# expect: LINE: TEXT");
            (line.parse().expect("line number"), msg.to_string())
        })
        .collect()
}

#[test]
fn good_fixtures_lint_clean() {
    for path in fixtures("good") {
        let errors = lint_file(&path);
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            path.display(),
            render(&errors)
        );
    }
}

#[test]
fn bad_fixtures_report_exactly_what_they_expect() {
    for path in fixtures("bad") {
        let text = fs::read_to_string(&path).unwrap();
        let expected = expectations(&text);
        assert!(
            !expected.is_empty(),
            "{} has no # expect lines",
            path.display()
        );
        let errors = lint(&path, &text);
        for (line, msg) in &expected {
            assert!(
                errors
                    .iter()
                    .any(|e| e.line == *line && e.message.contains(msg.as_str())),
                "{}: expected line {line}: {msg}\ngot:\n{}",
                path.display(),
                render(&errors)
            );
        }
        assert_eq!(
            errors.len(),
            expected.len(),
            "{}: unexpected extra errors:\n{}",
            path.display(),
            render(&errors)
        );
        assert!(errors.iter().all(|e| e.path == path));
    }
}

fn render(errors: &[FileError]) -> String {
    errors.iter().map(|e| format!("  {e}\n")).collect()
}

fn lint_str(text: &str) -> Vec<String> {
    lint(Path::new("r.toml"), text)
        .iter()
        .map(|e| e.to_string())
        .collect()
}

const HEAD: &str = "id = \"r\"\ntitle = \"R\"\n";

#[test]
fn errors_come_sorted_by_position() {
    let text = format!(
        "{HEAD}\n[[step]]\nid = \"a\"\nkind = \"note\"\ntext = \"{{{{ params.x }}}}\"\nnext = \"zz\"\n"
    );
    let errs = lint_str(&text);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].starts_with("r.toml:7:") && errs[0].contains("unknown param `x`"),
        "{errs:?}"
    );
    assert!(errs[0].starts_with("r.toml:7:") && errs[0].contains("unknown param `x`"));
    assert!(errs[1].starts_with("r.toml:8:") && errs[1].contains("goto to missing step `zz`"));
}

#[test]
fn a_self_loop_without_wait_is_reported_and_with_wait_is_not() {
    let spin = format!("{HEAD}\n[[step]]\nid = \"a\"\nkind = \"check\"\nprobe = {{ url = \"u\" }}\non_failure = \"goto:a\"\n");
    let errs = lint_str(&spin);
    assert!(
        errs.len() == 1 && errs[0].contains("loop with no wait step (a)"),
        "{errs:?}"
    );
    let paced = format!("{HEAD}\n[[step]]\nid = \"a\"\nkind = \"wait\"\nprobe = {{ url = \"u\" }}\non_failure = \"goto:a\"\n");
    assert!(lint_str(&paced).is_empty());
}

#[test]
fn forward_gotos_and_end_are_not_loops_or_dangling() {
    let text = format!(
        "{HEAD}\n[[step]]\nid = \"a\"\nkind = \"check\"\nprobe = {{ url = \"u\" }}\non_failure = \"goto:c\"\n\n[[step]]\nid = \"b\"\nkind = \"note\"\nnext = \"end\"\n\n[[step]]\nid = \"c\"\nkind = \"note\"\n"
    );
    assert!(lint_str(&text).is_empty(), "{:?}", lint_str(&text));
}

#[test]
fn a_branch_without_default_falls_through_to_the_next_step() {
    let text = format!(
        "{HEAD}\n[[step]]\nid = \"a\"\nkind = \"branch\"\ncases = [ {{ when = \"true\", goto = \"end\" }} ]\n\n[[step]]\nid = \"b\"\nkind = \"note\"\n"
    );
    assert!(lint_str(&text).is_empty(), "{:?}", lint_str(&text));
}

#[test]
fn expect_may_use_params_through_templates() {
    let text = format!(
        "{HEAD}\n[params.min]\ntype = \"int\"\ndefault = 1\n\n[[step]]\nid = \"a\"\nkind = \"check\"\nworkload = \"w\"\nexpect = \"ready >= {{{{ params.min }}}}\"\n\n[[step]]\nid = \"b\"\nkind = \"check\"\nworkload = \"w\"\nexpect = \"ready >= {{{{ params.mni }}}}\"\n"
    );
    let errs = lint_str(&text);
    assert!(
        errs.len() == 1 && errs[0].contains("unknown param `mni`"),
        "{errs:?}"
    );
}

#[test]
fn names_outside_the_scope_are_reported_and_globals_allowed() {
    let text = format!(
        "{HEAD}\n[[step]]\nid = \"a\"\nkind = \"note\"\ntext = \"{{% for i in range(3) %}}{{{{ i }}}}{{% endfor %}} {{{{ alert.labels.x }}}} {{{{ alert.name }}}} {{{{ steps.a }}}}\"\n"
    );
    let errs = lint_str(&text);
    assert!(
        errs.len() == 1 && errs[0].contains("`alert.name`"),
        "{errs:?}"
    );
}

#[test]
fn parse_errors_stop_lint_early() {
    let errs = lint_str("id = \n");
    assert_eq!(errs.len(), 1);
    assert!(errs[0].starts_with("r.toml:1:"), "{errs:?}");
}

#[test]
fn ids_must_be_one_word() {
    let errs = lint_str(&format!(
        "{HEAD}\n[[step]]\nid = \"two words\"\nkind = \"note\"\n"
    ));
    assert!(errs.len() == 1 && errs[0].contains("one word"), "{errs:?}");
}
