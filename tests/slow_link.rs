//! The console behind a 64 kbit/s link: output is throttled by a relay in
//! front of the pty, while keys still take effect and `q` still quits, because
//! frames the link could not carry are dropped and only the newest is drawn.

#[path = "support/slow_pty.rs"]
mod slow_pty;

use slow_pty::SlowPty;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");
/// 64 kbit/s.
const RATE: u64 = 8_000;
const HANG: Duration = Duration::from_secs(60);

#[test]
fn keys_take_effect_and_q_quits_while_output_is_throttled() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("slow.toml");
    std::fs::write(&config, "refresh = \"1s\"\n").unwrap();
    let data = dir.path().join("data");
    let mut pty = SlowPty::start(
        BIN,
        &[
            ("OPSDECK_CONFIG", config.to_str().unwrap()),
            ("OPSDECK_DATA_DIR", data.to_str().unwrap()),
        ],
        80,
        24,
        RATE,
    );
    pty.wait_for("the host panes", HANG, |s| {
        s.contains("Disks") && s.contains("mem ")
    });
    assert!(pty.alternate());

    // Many more frames than the link can carry: each key switches views,
    // spaced so that every one is a frame of its own.
    let before = pty.relayed();
    for i in 0..60 {
        pty.keys(if i % 2 == 0 { b"2" } else { b"1" });
        std::thread::sleep(Duration::from_millis(40));
    }
    pty.keys(b"4");
    pty.wait_for("the events view after the burst", HANG, |s| {
        s.contains("ACTION") && s.contains("DETAIL") && !s.contains("Disks")
    });
    let burst = pty.relayed() - before;
    eprintln!("relayed during the burst: {burst} B");
    assert!(burst > 0);

    pty.keys(b"q");
    let status = pty.wait_exit(HANG);
    assert!(status.success(), "{status:?}");
    pty.wait_for("the terminal given back", HANG, |_| true);
    // Everything the console wrote before it exited is relayed eventually,
    // ending with leaving the alternate screen.
    let end = std::time::Instant::now() + HANG;
    while pty.alternate() {
        assert!(
            std::time::Instant::now() < end,
            "still on the alternate screen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
