//! A child process bounded in time: the one way opsdeck runs an outside
//! program (pg_dump, pg_restore, a backup check's command) that could hang.

use std::time::Duration;

/// `cmd` run to its end, or killed once it has run `limit`. `name` is what
/// the errors call it; `limit_named` says which limit it ran over, so the
/// error says what to raise (`the dump_timeout of 1h (a [[backup]] field)`).
pub async fn output_within(
    cmd: &mut tokio::process::Command,
    name: &str,
    limit: Duration,
    limit_named: &str,
) -> Result<std::process::Output, String> {
    // Dropping the unfinished future drops the child, and this kills it.
    cmd.kill_on_drop(true);
    match tokio::time::timeout(limit, cmd.output()).await {
        Ok(out) => out.map_err(|e| format!("{name} cannot run: {e}")),
        Err(_) => Err(format!("{name} was killed: it ran over {limit_named}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_command_over_its_limit_is_killed_and_named() {
        let mut cmd = tokio::process::Command::new("sleep");
        cmd.arg("5");
        let e = output_within(&mut cmd, "sleep", Duration::from_millis(50), "50ms")
            .await
            .unwrap_err();
        assert_eq!(e, "sleep was killed: it ran over 50ms");
        let mut cmd = tokio::process::Command::new("true");
        assert!(
            output_within(&mut cmd, "true", Duration::from_secs(5), "5s")
                .await
                .unwrap()
                .status
                .success()
        );
    }
}
