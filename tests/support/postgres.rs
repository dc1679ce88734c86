//! A real PostgreSQL server (Debian's `postgresql` package) in a temp dir on a
//! loopback port, with password authentication over TCP; stopped when dropped.
//! PostgreSQL refuses to run as root, so as root the server runs as the
//! `postgres` user the package creates. A missing package fails the test.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The superuser's password: distinctive, so a test can look for it in any output.
pub const SUPER_PASSWORD: &str = "pw-Sup3r-7f1d9c";

pub struct Postgres {
    pub port: u16,
    bin: PathBuf,
    dir: tempfile::TempDir,
    running: bool,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The newest `/usr/lib/postgresql/*/bin`.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b).unwrap_or_else(|| {
        panic!(
            "PostgreSQL is needed for this test: install Debian's `postgresql` package \
             (no /usr/lib/postgresql/*/bin/initdb found)"
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Postgres {
    /// initdb, then start with at most `max_connections` connections and
    /// pg_stat_statements loaded (its extension is not created).
    pub fn start(max_connections: u32) -> Postgres {
        Postgres::start_with(max_connections, "")
    }

    /// As `start`, with `settings` (postgresql.conf lines) added, e.g. WAL
    /// archiving switched on.
    pub fn start_with(max_connections: u32, settings: &str) -> Postgres {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("opsdeck-test-pg-")
            .tempdir()
            .unwrap();
        std::fs::create_dir(dir.path().join("sock")).unwrap();
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, SUPER_PASSWORD).unwrap();
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                ok,
                "chown to the `postgres` user failed: Debian's `postgresql` package creates it"
            );
        }
        let pg = Postgres {
            port: free_port(),
            bin,
            dir,
            running: false,
        };
        let data = pg.data();
        pg.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--pwfile",
                pwfile.to_str().unwrap(),
                "--no-sync",
            ],
        );
        let conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\n\
             max_connections = {max_connections}\nshared_preload_libraries = 'pg_stat_statements'\n\
             fsync = off\n{settings}\n",
            pg.port,
            pg.dir.path().join("sock").display()
        );
        let conf_path = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf_path).unwrap();
        text.push_str(&conf);
        std::fs::write(&conf_path, text).unwrap();
        let mut pg = pg;
        pg.resume();
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// One of the server's programs, to run as `postgres` when we are root.
    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let out = self
            .command(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{program} cannot run: {e}"));
        assert!(
            out.status.success(),
            "{program} failed:\n{}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
        );
        out
    }

    /// Starts the server (again, after `stop`), waiting until it accepts connections.
    pub fn resume(&mut self) {
        let data = self.data();
        let log = self.dir.path().join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        self.running = true;
    }

    /// Stops the server at once: every session is cut, as in a crash.
    pub fn stop(&mut self) {
        let data = self.data();
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
        self.running = false;
    }

    /// A DSN for `user` with `password` on database `db`, in URL form.
    pub fn dsn(&self, user: &str, password: &str, db: &str) -> String {
        format!(
            "postgres://{user}:{password}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    pub fn superuser_dsn(&self) -> String {
        self.dsn("postgres", SUPER_PASSWORD, "postgres")
    }

    /// A client program of the server's version (pg_dump, pg_restore,
    /// pgbench), run as the caller, connecting as the superuser over TCP.
    pub fn client(&self, program: &str) -> Command {
        let mut c = Command::new(self.bin.join(program));
        c.env("PGHOST", "127.0.0.1")
            .env("PGPORT", self.port.to_string())
            .env("PGUSER", "postgres")
            .env("PGPASSWORD", SUPER_PASSWORD)
            .env("PGSSLMODE", "disable");
        c
    }

    /// `pgbench -i -s 1` into `postgres`: 100,000 accounts to dump and restore.
    pub fn pgbench_init(&self) {
        let init = self
            .client("pgbench")
            .args(["-i", "-s", "1", "-q", "postgres"])
            .output()
            .expect("pgbench runs");
        assert!(
            init.status.success(),
            "pgbench -i: {}",
            String::from_utf8_lossy(&init.stderr)
        );
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if self.running {
            let data = self.data();
            let args = ["-D", data.to_str().unwrap_or(""), "-m", "immediate", "stop"];
            let _ = self.command("pg_ctl").args(args).output();
        }
    }
}

/// A session of its own for a test, its connection driven on the runtime.
pub async fn session(dsn: &str, application: &str) -> tokio_postgres::Client {
    let mut config: tokio_postgres::Config = dsn.parse().unwrap();
    config.application_name(application);
    let (client, conn) = config
        .connect(tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("test session cannot connect: {e}"));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

/// The backend PID of a test session.
pub async fn backend_pid(client: &tokio_postgres::Client) -> i32 {
    client
        .query_one("select pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0)
}

/// Writes a DSN file as it must be: private to its owner (mode 0600);
/// opsdeck refuses one group or others may read.
pub fn write_dsn_file(path: &Path, dsn: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::write(path, dsn).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// The restore drills' scratch databases still on the server (none should
/// outlive a drill).
pub async fn scratch_databases(admin: &tokio_postgres::Client) -> Vec<String> {
    admin
        .query(
            "select datname::text from pg_database where datname like 'opsdeck_verify_%'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}
