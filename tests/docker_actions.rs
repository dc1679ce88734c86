//! The workload verbs against the real Docker engine, driving the real
//! binary: Compose projects started by docker-compose 1.29, scaled, deployed
//! (a broken release rolls itself back), rolled back, with `--dry-run` and
//! `--read-only` changing nothing, and every action in the audit log.

#[path = "support/images.rs"]
mod images;
#[path = "support/run_bin.rs"]
mod run_bin;

#[path = "support/actions.rs"]
mod actions;
#[path = "support/free_port.rs"]
mod free_port;

use actions::*;
use images::*;
use std::process::Command;

#[test]
fn scale_a_compose_service_1_to_3_to_1_and_refusals_change_nothing() {
    let (_tags, v1, _, _) = images("scale");
    let p = Project::up("scale", &v1, 1);
    let w = p.workload();
    assert_eq!(p.ids().len(), 1);

    let dry = p.opsdeck(&["scale", &w, "3", "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(
        String::from_utf8_lossy(&dry.stdout).contains(&format!("{}_api_3", p.name)),
        "{}",
        text(&dry)
    );
    assert_eq!(p.ids().len(), 1, "a dry run changed something");

    let ro = p.opsdeck(&["--read-only", "scale", &w, "3", "--yes"]);
    assert_eq!(ro.status.code(), Some(3), "{}", text(&ro));
    assert!(
        String::from_utf8_lossy(&ro.stderr).contains("read-only"),
        "{}",
        text(&ro)
    );
    assert_eq!(p.ids().len(), 1, "--read-only changed something");

    // No terminal and no --yes: nobody can confirm, so nothing happens.
    let unconfirmed = p.opsdeck(&["scale", &w, "3"]);
    assert_eq!(unconfirmed.status.code(), Some(4), "{}", text(&unconfirmed));
    assert_eq!(p.ids().len(), 1);
    assert!(
        p.audit().is_empty(),
        "refused actions must not be audited as run"
    );

    let up = p.opsdeck(&["scale", &w, "3", "--yes"]);
    assert!(up.status.success(), "{}", text(&up));
    assert_eq!(p.ids().len(), 3, "{}", p.compose(&["ps"]));
    let listing = p.compose(&["ps"]);
    for n in 1..=3 {
        assert!(
            listing.contains(&format!("{}_api_{n}", p.name)),
            "{listing}"
        );
    }
    // The clones are replicas in Compose's eyes: same labels, the next numbers.
    let numbers: Vec<String> = p
        .ids()
        .iter()
        .map(|id| {
            docker(&[
                "inspect",
                "--format",
                "{{index .Config.Labels \"com.docker.compose.container-number\"}}",
                id,
            ])
        })
        .collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(sorted, ["1", "2", "3"]);

    let down = p.opsdeck(&["scale", &w, "1", "--yes"]);
    assert!(down.status.success(), "{}", text(&down));
    let ids = p.ids();
    assert_eq!(ids.len(), 1, "{}", p.compose(&["ps"]));
    assert_eq!(
        docker(&["inspect", "--format", "{{.Name}}", &ids[0]]),
        format!("/{}_api_1", p.name)
    );

    let started = docker(&["inspect", "--format", "{{.State.StartedAt}}", &ids[0]]);
    let restart = p.opsdeck(&["restart", &w, "--yes"]);
    assert!(restart.status.success(), "{}", text(&restart));
    assert_ne!(
        docker(&["inspect", "--format", "{{.State.StartedAt}}", &ids[0]]),
        started
    );
    assert_eq!(
        docker(&["inspect", "--format", "{{.State.Health.Status}}", &ids[0]]),
        "healthy"
    );

    let audit = p.audit();
    let phases: Vec<&str> = audit.iter().map(|r| r["phase"].as_str().unwrap()).collect();
    assert_eq!(
        phases,
        ["intent", "outcome", "intent", "outcome", "intent", "outcome"]
    );
    let verbs: Vec<&str> = audit.iter().map(|r| r["verb"].as_str().unwrap()).collect();
    assert_eq!(
        verbs,
        ["scale", "scale", "scale", "scale", "restart", "restart"]
    );
    assert!(audit.iter().all(|r| r["workload"] == w.as_str()));
    assert!(
        audit[0]["plan"]["steps"].as_array().unwrap().len() >= 2,
        "{}",
        audit[0]
    );
    assert!(audit[1]["ok"].as_bool().unwrap());
    assert!(!p.audit_text().contains(SECRET));
}

#[test]
fn a_broken_deploy_rolls_back_by_itself_and_a_good_one_rolls_back_on_request() {
    let (_tags, v1, v2, broken) = images("deploy");
    let p = Project::up("deploy", &v1, 2);
    let w = p.workload();
    let (v1_id, v2_id) = (image_id(&v1), image_id(&v2));
    assert_eq!(p.image_ids(), [v1_id.clone(), v1_id.clone()]);

    let bad = p.opsdeck(&["deploy", &w, &broken, "--yes", "--health-timeout", "60s"]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains("rolled back"),
        "{}",
        text(&bad)
    );
    assert_eq!(
        p.image_ids(),
        [v1_id.clone(), v1_id.clone()],
        "{}",
        p.compose(&["ps"])
    );
    let last = p.audit().pop().unwrap();
    assert_eq!(last["phase"], "outcome");
    assert_eq!(last["rolled_back"], true);
    assert_eq!(last["ok"], false);
    // Nothing was replaced for good, so there is nothing to roll back to.
    let hist = p.opsdeck(&["history", &w, "--json"]);
    assert!(hist.status.success(), "{}", text(&hist));
    assert_eq!(
        serde_json::from_slice::<Vec<serde_json::Value>>(&hist.stdout)
            .unwrap()
            .len(),
        0
    );

    let good = p.opsdeck(&["deploy", &w, &v2, "--yes"]);
    assert!(good.status.success(), "{}", text(&good));
    assert_eq!(
        p.image_ids(),
        [v2_id.clone(), v2_id.clone()],
        "{}",
        p.compose(&["ps"])
    );
    assert_eq!(p.ids().len(), 2);

    let hist = p.opsdeck(&["history", &w, "--json"]);
    let revs: Vec<serde_json::Value> = serde_json::from_slice(&hist.stdout).unwrap();
    assert_eq!(revs.len(), 1, "{}", text(&hist));
    assert_eq!(revs[0]["image"], v1.as_str());
    assert_eq!(revs[0]["image_id"], v1_id.as_str());
    assert_eq!(revs[0]["verb"], "deploy");
    let table = p.opsdeck(&["history", &w]);
    assert!(
        String::from_utf8_lossy(&table.stdout).contains(&v1),
        "{}",
        text(&table)
    );

    let dry = p.opsdeck(&["rollback", &w, "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert_eq!(
        p.image_ids(),
        [v2_id.clone(), v2_id.clone()],
        "a dry run changed something"
    );

    let back = p.opsdeck(&["rollback", &w, "--yes"]);
    assert!(back.status.success(), "{}", text(&back));
    assert_eq!(
        p.image_ids(),
        [v1_id.clone(), v1_id.clone()],
        "{}",
        p.compose(&["ps"])
    );

    // The rollback recorded v2 as revision 2; --to goes to a named revision.
    let revs: Vec<serde_json::Value> =
        serde_json::from_slice(&p.opsdeck(&["history", &w, "--json"]).stdout).unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[1]["image_id"], v2_id.as_str());
    assert_eq!(revs[1]["verb"], "rollback");
    let to = p.opsdeck(&["rollback", &w, "--to", "2", "--yes"]);
    assert!(to.status.success(), "{}", text(&to));
    assert_eq!(p.image_ids(), [v2_id.clone(), v2_id.clone()]);
    let nowhere = p.opsdeck(&["rollback", &w, "--to", "9", "--yes"]);
    assert_eq!(nowhere.status.code(), Some(2), "{}", text(&nowhere));

    // The secret env var was copied onto every new replica, yet never logged.
    for id in p.ids() {
        assert!(docker(&["inspect", "--format", "{{json .Config.Env}}", &id]).contains(SECRET));
    }
    let audit = p.audit();
    assert_eq!(audit.len(), 8, "{}", p.audit_text());
    assert!(!p.audit_text().contains(SECRET), "{}", p.audit_text());
    let printed = p.opsdeck(&["audit", "--json"]);
    assert!(printed.status.success(), "{}", text(&printed));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&printed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    let verbs: Vec<&str> = lines.iter().map(|r| r["verb"].as_str().unwrap()).collect();
    assert_eq!(
        verbs,
        ["deploy", "deploy", "deploy", "deploy", "rollback", "rollback", "rollback", "rollback"]
    );
    assert!(lines
        .iter()
        .all(|r| r["who"].as_str().unwrap().contains('@')));
}

#[test]
fn a_plain_container_restarts_and_refuses_what_it_cannot_do() {
    let (_tags, v1, _, _) = images("plain");
    let c = DemoContainer::start(&v1, "actions-plain", &[("SECRET_TOKEN", SECRET)]);
    let dir = tempfile::Builder::new()
        .prefix("opsdeck-test-actions-")
        .tempdir()
        .unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(&config, "[[docker]]\nname = \"local\"\n").unwrap();
    let data = dir.path().join("data");
    let w = format!("local/_/{}", c.name);
    let started = c.inspect("{{.State.StartedAt}}");

    let rb = opsdeck(&config, &data, &["rollback", &w, "--yes"]);
    assert_eq!(rb.status.code(), Some(2), "{}", text(&rb));
    assert!(
        String::from_utf8_lossy(&rb.stderr).contains("no previous image"),
        "{}",
        text(&rb)
    );
    let scale = opsdeck(&config, &data, &["scale", &w, "2", "--yes"]);
    assert_eq!(scale.status.code(), Some(2), "{}", text(&scale));
    let missing = opsdeck(
        &config,
        &data,
        &["restart", "local/_/opsdeck-test-actions-no-such", "--yes"],
    );
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    let absent = opsdeck(
        &config,
        &data,
        &["deploy", &w, "opsdeck-test-actions-absent:v9", "--yes"],
    );
    assert_eq!(absent.status.code(), Some(2), "{}", text(&absent));
    assert!(
        String::from_utf8_lossy(&absent.stderr).contains("never pulls"),
        "{}",
        text(&absent)
    );
    let target = opsdeck(&config, &data, &["restart", "elsewhere/_/x", "--yes"]);
    assert!(
        String::from_utf8_lossy(&target.stderr).contains("no Docker target"),
        "{}",
        text(&target)
    );

    let restart = opsdeck(&config, &data, &["restart", &w, "--yes"]);
    assert!(restart.status.success(), "{}", text(&restart));
    assert_ne!(
        c.inspect("{{.State.StartedAt}}"),
        started,
        "it was not restarted"
    );
    assert_eq!(c.health(), "healthy");

    // A release that turns healthy and then crashes must not pass the gate.
    let crash_tag = v1.replace(":v1", ":v2-crash");
    let _crash_tags = Tags(vec![crash_tag.clone()]);
    let crash = build_demo_image(
        &opsdeck_binary(),
        &crash_tag,
        "2.0.1",
        &[("DEMO_FAULT_CRASH_AFTER", "2")],
    );
    let v1_id = image_id(&v1);
    let deploy = opsdeck(&config, &data, &["deploy", &w, &crash, "--yes"]);
    assert_eq!(deploy.status.code(), Some(1), "{}", text(&deploy));
    assert_eq!(c.inspect("{{.Image}}"), v1_id);
    assert_eq!(c.inspect("{{.State.Status}}"), "running");
}

/// Images without a HEALTHCHECK, so only the `--health-url` probe can tell
#[test]
fn a_plain_container_deploy_is_gated_by_the_health_url() {
    let (_tags, v1, v2, broken) = unchecked_images("probe");
    // A fixed host port, as production containers have: the replacement
    // takes it over once the old container has stopped.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let publish = format!("127.0.0.1:{port}:{DEMO_PORT}");
    let c = DemoContainer::start_with(&v1, "actions-probe", &["--publish", &publish], &[]);
    let dir = tempfile::Builder::new()
        .prefix("opsdeck-test-actions-")
        .tempdir()
        .unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(&config, "[[docker]]\nname = \"local\"\n").unwrap();
    let data = dir.path().join("data");
    let w = format!("local/_/{}", c.name);
    let url = format!("http://127.0.0.1:{port}/health");
    wait_for_status(&url, 200, std::time::Duration::from_secs(20));
    let v1_id = image_id(&v1);
    let running = || docker(&["inspect", "--format", "{{.Image}}", &c.name]);

    // Credentials in the health URL, as a protected endpoint needs: they reach
    // the service and nothing else (not the output, not the audit log).
    let secret_url = format!("http://ops:pw-Hc4t@127.0.0.1:{port}/health?token=tk-Hc4t");
    let gate = [
        "--health-url",
        secret_url.as_str(),
        "--health-timeout",
        "8s",
        "--yes",
    ];
    let bad = opsdeck(
        &config,
        &data,
        &[&["deploy", w.as_str(), broken.as_str()][..], &gate[..]].concat(),
    );
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains(&url),
        "{}",
        text(&bad)
    );
    let audit_text = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    for shown in [text(&bad), audit_text] {
        assert!(
            !shown.contains("pw-Hc4t") && !shown.contains("tk-Hc4t"),
            "{shown}"
        );
    }
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains(&format!("{url}?token=***")),
        "{}",
        text(&bad)
    );
    assert_eq!(running(), v1_id, "the broken release was not rolled back");
    assert_eq!(c.inspect("{{.State.Status}}"), "running");
    wait_for_status(&url, 200, std::time::Duration::from_secs(20));

    let good = opsdeck(
        &config,
        &data,
        &[&["deploy", w.as_str(), v2.as_str()][..], &gate[..]].concat(),
    );
    assert!(good.status.success(), "{}", text(&good));
    assert!(!text(&good).contains("pw-Hc4t") && !text(&good).contains("tk-Hc4t"));
    assert_eq!(running(), image_id(&v2));
    assert!(c
        .inspect("{{json .HostConfig.PortBindings}}")
        .contains(&format!("\"{port}\"")));
    let body = http(&format!("http://127.0.0.1:{port}/"), None)
        .unwrap()
        .body;
    assert_eq!(body, "opsdeck demo 2.0.0\n");

    let back = opsdeck(&config, &data, &["rollback", &w, "--yes"]);
    assert!(back.status.success(), "{}", text(&back));
    assert_eq!(running(), v1_id);
}

#[test]
fn demo_up_starts_a_compose_project_that_docker_compose_recognises_and_down_removes_it() {
    let dir = tempfile::Builder::new()
        .prefix("opsdeck-test-actions-")
        .tempdir()
        .unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(&config, "[[docker]]\nname = \"local\"\n").unwrap();
    let pg = Playground {
        project: unique_name("actions-demo"),
        config,
        data: dir.path().join("data"),
    };
    let port = free_port::free_port().to_string();
    let up = opsdeck(
        &pg.config,
        &pg.data,
        &["demo", "up", "--project", &pg.project, "--port", &port],
    );
    assert!(up.status.success(), "{}", text(&up));
    let out = String::from_utf8_lossy(&up.stdout).into_owned();
    let file = out
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix(&format!("compose:  docker-compose -p {} -f ", pg.project))
        })
        .and_then(|rest| rest.strip_suffix(" ps"))
        .unwrap_or_else(|| panic!("no compose line in:\n{out}"))
        .to_owned();
    let compose_q = || {
        let o = Command::new("docker-compose")
            .args(["-p", &pg.project, "-f", &file, "ps", "-q"])
            .output()
            .expect("docker-compose");
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .count()
    };
    // Two replicas and the front door.
    assert_eq!(compose_q(), 3, "{out}");
    let urls: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_once(": http://").map(|(_, u)| u))
        .map(|u| u.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(urls.len(), 3, "{out}");
    assert!(
        out.contains(&format!(
            "url = \"http://127.0.0.1:{port}/health\"\nworkload = \"local/{}/api\"",
            pg.project
        )),
        "{out}"
    );
    for u in urls {
        wait_for_status(
            &format!("http://{u}health"),
            200,
            std::time::Duration::from_secs(20),
        );
    }
    // A new user's defaults (no config file): `status` watches the probe
    // the front door asks for, as the console does; with the front door
    // stopped it is degraded and the exit code says so — never ok.
    let home = tempfile::tempdir().unwrap();
    let status = || {
        Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .args(["status", "--json"])
            .env_remove("OPSDECK_CONFIG")
            .env_remove("XDG_CONFIG_HOME")
            .env("HOME", home.path())
            .env("OPSDECK_DATA_DIR", &pg.data)
            .output()
            .expect("opsdeck status")
    };
    let probe_health = |out: &std::process::Output| {
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)));
        v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == pg.project.as_str())
            .unwrap_or_else(|| panic!("no probe {} in {}", pg.project, text(out)))["health"]
            ["state"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let out = status();
    assert_eq!(probe_health(&out), "ok", "{}", text(&out));
    let front = format!("{}_front_1", pg.project);
    assert!(docker_output(&["stop", "-t", "1", &front]).status.success());
    let out = status();
    assert_ne!(probe_health(&out), "ok", "{}", text(&out));
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(docker_output(&["start", &front]).status.success());

    let w = format!("local/{}/api", pg.project);
    let scale = opsdeck(&pg.config, &pg.data, &["scale", &w, "3", "--yes"]);
    assert!(scale.status.success(), "{}", text(&scale));
    assert_eq!(compose_q(), 4);

    let down = opsdeck(
        &pg.config,
        &pg.data,
        &["demo", "down", "--project", &pg.project],
    );
    assert!(down.status.success(), "{}", text(&down));
    assert_eq!(compose_q(), 0);
    let net = docker_output(&["network", "inspect", &format!("{}_default", pg.project)]);
    assert!(!net.status.success(), "the project network is still there");
    let bad = opsdeck(
        &pg.config,
        &pg.data,
        &["demo", "up", "--project", "Not Valid"],
    );
    assert!(!bad.status.success(), "{}", text(&bad));
}
