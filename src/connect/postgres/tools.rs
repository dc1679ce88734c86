//! The server's own client programs (`pg_dump`, `pg_restore`), run with a
//! target's connection in their environment (`Dsn::libpq_env`).

use std::path::PathBuf;

/// The newest installed server version's `name` (a dump restores only with
/// a `pg_restore` at least as new as the `pg_dump` that made it, and
/// `pg_dump` refuses a server newer than itself), else the one on PATH.
pub fn server_tool(name: &str) -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let tool = e.path().join("bin").join(name);
            tool.exists().then_some((v, tool))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map_or_else(|| PathBuf::from(name), |(_, p)| p)
}

/// The line of a tool's stderr that says what went wrong (not the warnings
/// before it), scrubbed by the caller.
pub fn error_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    text.lines()
        .find(|l| l.contains("error:"))
        .or_else(|| text.lines().rev().find(|l| !l.trim().is_empty()))
        .unwrap_or("no message")
        .trim()
        .to_string()
}

/// `cmd` run to its end, or killed once it has run `limit` (`field` is the
/// `[[backup]]` field that set it, so the error says what to raise).
pub async fn output_within(
    cmd: &mut tokio::process::Command,
    name: &str,
    limit: std::time::Duration,
    field: &str,
) -> Result<std::process::Output, String> {
    let named = format!(
        "the {field} of {} (a [[backup]] field)",
        crate::base::duration::format(limit)
    );
    crate::connect::process::output_within(cmd, name, limit, &named).await
}
