//! Deploys made without opsdeck are seen: a Compose service moved to a new
//! image with docker-compose itself is the last deploy the runbooks' recent
//! deploy check finds, named by the engine's record, the right way round.

#[path = "support/images.rs"]
mod images;
#[path = "support/run_bin.rs"]
mod run_bin;

#[path = "support/actions.rs"]
mod actions;

use actions::*;

#[test]
fn a_deploy_made_with_docker_compose_is_the_recent_deploy() {
    let (_tags, v1, v2, _) = images("seen");
    let p = Project::up("seen", &v1, 2);
    let w = p.workload();
    let spec = std::fs::read_to_string(&p.file).unwrap();
    std::fs::write(&p.file, spec.replace(&v1, &v2)).unwrap();
    p.compose(&["up", "-d", "--scale", "api=2"]);

    let workload = format!("workload={w}");
    let out = p.opsdeck(&[
        "runbook",
        "run",
        "failed-deploy",
        "--param",
        &workload,
        "--plan",
    ]);
    let text = text(&out);
    let named =
        format!("revision 2 ({v2}, replacing revision 1: {v1}; managed by docker-compose 1.");
    assert!(text.contains(&named), "{named}\n{text}");
    assert!(
        text.contains(&format!("(project {})) deployed ", p.name)),
        "{text}"
    );
    assert!(text.contains("outcome: planned"), "{text}");

    // `history` lists opsdeck's own record (what `rollback --to` takes: none
    // here) and then what the engine saw.
    let out = p.opsdeck(&["history", &w]);
    let text = run_bin::text(&out);
    assert!(out.status.success(), "{text}");
    let seen = text
        .split("seen by the engine")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    let rows: Vec<&str> = seen.lines().skip(2).collect();
    assert!(
        rows[0].contains(&v1) && rows[1].contains(&v2) && rows[1].contains("docker-compose 1."),
        "{text}"
    );
    let json = p.opsdeck(&["history", &w, "--json"]);
    assert_eq!(
        String::from_utf8_lossy(&json.stdout).trim(),
        "[]",
        "{}",
        run_bin::text(&json)
    );
}
