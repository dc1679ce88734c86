use super::*;
use crate::alert::default_rules;
use crate::runbook::catalog::Catalog;
use std::path::Path;

#[test]
fn every_trigger_of_every_built_in_runbook_names_a_built_in_rule() {
    let (catalog, errors) = Catalog::builtin();
    assert!(errors.is_empty(), "{errors:?}");
    let rules = default_rules();
    for e in catalog.entries() {
        assert!(
            !e.runbook.triggers.is_empty(),
            "{} has no trigger",
            e.runbook.id
        );
        for t in &e.runbook.triggers {
            assert!(
                rules.iter().any(|r| r.name == t.alert),
                "runbook {} answers {}, which no built-in rule raises",
                e.runbook.id,
                t.alert
            );
        }
    }
}

#[test]
fn every_built_in_rule_s_runbook_answers_it() {
    let (catalog, _) = Catalog::builtin();
    for rule in default_rules() {
        let Some(id) = &rule.runbook else { continue };
        let rb = catalog
            .get(id)
            .unwrap_or_else(|| panic!("{}: no runbook {id}", rule.name));
        assert!(
            rb.runbook.answers(&rule.name),
            "rule {} links runbook {id}, whose triggers do not list it",
            rule.name
        );
    }
}

#[test]
fn the_built_in_runbooks_bind_from_the_labels_their_alerts_carry() {
    let (catalog, _) = Catalog::builtin();
    let errors = check(catalog.entries(), &default_rules(), None);
    assert!(errors.is_empty(), "{}", render(&errors));
}

fn render(errors: &[FileError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn user_runbook(text: &str) -> Vec<Entry> {
    let mut catalog = Catalog::default();
    let mut errors = Vec::new();
    catalog.add_file(Path::new("mine.toml"), text.to_string(), &mut errors);
    assert!(errors.is_empty(), "{}", render(&errors));
    catalog.entries().to_vec()
}

const HEAD: &str =
    "id = \"mine\"\ntitle = \"Mine\"\n\n[[trigger]]\nalert = \"DatabaseConnectionsHigh\"\n\n";

#[test]
fn a_param_bound_to_a_label_its_alert_lacks_is_located_and_explained() {
    let text = format!(
        "{HEAD}[params.db]\nfrom_alert = \"labels.workload\"\n\n[[step]]\nid = \"a\"\nkind = \"check\"\nsql = {{ target = \"{{{{ params.db }}}}\", query = \"select 1\", expect = \"rows == 1\" }}\n"
    );
    let errors = check(&user_runbook(&text), &default_rules(), None);
    assert_eq!(errors.len(), 1, "{}", render(&errors));
    let e = errors[0].to_string();
    assert!(e.starts_with("mine.toml:8:"), "{e}");
    assert!(
        e.contains("param db binds labels.workload; alert DatabaseConnectionsHigh carries metric, postgres, series, target"),
        "{e}"
    );
}

#[test]
fn a_default_naming_an_unconfigured_target_is_an_error_with_a_config() {
    let text = format!(
        "{HEAD}[params.db]\nfrom_alert = \"labels.postgres\"\ndefault = \"main-db\"\n\n[[step]]\nid = \"a\"\nkind = \"check\"\nsql = {{ target = \"{{{{ params.db }}}}\", query = \"select 1\", expect = \"rows == 1\" }}\n"
    );
    let cfg = crate::config::parse(
        Path::new("c.toml"),
        "[[postgres]]\nname = \"orders\"\nurl_env = \"X\"\n",
    )
    .unwrap();
    let errors = check(&user_runbook(&text), &default_rules(), Some(&cfg));
    assert_eq!(errors.len(), 1, "{}", render(&errors));
    let e = errors[0].to_string();
    assert!(e.starts_with("mine.toml:9:"), "{e}");
    assert!(
        e.contains("default \"main-db\" names no [[postgres]] target (configured: orders)"),
        "{e}"
    );
    assert!(check(&user_runbook(&text), &default_rules(), None).is_empty());
}

#[test]
fn a_probe_without_a_workload_is_named_when_its_alert_must_bind_one() {
    let (catalog, _) = Catalog::builtin();
    let site_down: Vec<Entry> = catalog
        .entries()
        .iter()
        .filter(|e| e.runbook.id == "site-down")
        .cloned()
        .collect();
    let cfg = crate::config::parse(
        Path::new("c.toml"),
        "[[probe]]\nname = \"site\"\nurl = \"http://127.0.0.1:8080/health\"\n\n[[probe]]\nname = \"shop\"\nurl = \"http://127.0.0.1:8081/health\"\nworkload = \"local/shop/api\"\n",
    )
    .unwrap();
    assert!(check(&site_down, &default_rules(), Some(&cfg)).is_empty());
    let errors = advice(&site_down, &default_rules(), &cfg);
    let text = render(&errors);
    assert!(
        text.contains("[[probe]] `site`, which names no workload"),
        "{text}"
    );
    assert!(!text.contains("`shop`"), "{text}");
}

#[test]
fn labels_carried_follow_the_series_kinds() {
    let rules = default_rules();
    let by = |n: &str| carried(rules.iter().find(|r| r.name == n).unwrap()).unwrap();
    let site = by("SiteDown");
    assert!(site.always.contains("probe") && site.always.contains("target"));
    assert!(site.maybe.contains("workload") && site.maybe.contains("url"));
    let errors = by("HighErrorRate");
    assert!(errors.always.contains("target"), "{errors:?}");
    assert!(errors.maybe.contains("probe") && errors.maybe.contains("scrape"));
    assert!(by("WorkloadNotReady").always.contains("workload"));
}
