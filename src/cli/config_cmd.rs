use super::{load_theme, Cli, ConfigAction};
use crate::config::{paths, INIT_TEMPLATE};
use std::process::ExitCode;

pub fn run(cli: &Cli, action: &ConfigAction) -> ExitCode {
    let path = paths::config_file(cli.config.clone());
    match action {
        ConfigAction::Path => {
            let state = if path.exists() {
                ""
            } else {
                " (does not exist: the defaults are in use)"
            };
            println!("{}{state}", path.display());
            ExitCode::SUCCESS
        }
        ConfigAction::Init { force } => {
            if path.exists() && !force {
                eprintln!(
                    "error: {} already exists; use --force to overwrite it",
                    path.display()
                );
                return ExitCode::from(1);
            }
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|_| std::fs::write(&path, INIT_TEMPLATE));
            match written {
                Ok(()) => {
                    println!("wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    ExitCode::from(1)
                }
            }
        }
        ConfigAction::Check => match crate::exec::files::load_config(cli.config.clone()) {
            Err(errors) => {
                for e in &errors {
                    println!("{e}");
                }
                println!("{} error(s)", errors.len());
                ExitCode::from(1)
            }
            Ok(loaded) => match load_theme(cli, &loaded.config) {
                Err(e) => {
                    println!("{e}");
                    println!("1 error(s)");
                    ExitCode::from(1)
                }
                Ok(_) if !loaded.from_file => {
                    println!("{}: no such file; the defaults are in use (opsdeck config init writes one)", loaded.path.display());
                    ExitCode::SUCCESS
                }
                Ok(_) => {
                    // Runbooks are part of the setup an alert depends on: a
                    // param that cannot bind, a default naming nothing here.
                    let review = crate::exec::files::review_runbooks(Some(&loaded.config), &[]);
                    for w in &review.advice {
                        println!("warning: {w}");
                    }
                    let mut errors = secret_files(&loaded);
                    errors.extend(review.errors);
                    for e in &errors {
                        println!("{e}");
                    }
                    if errors.is_empty() {
                        println!("{}: ok", loaded.path.display());
                        ExitCode::SUCCESS
                    } else {
                        println!("{} error(s)", errors.len());
                        ExitCode::from(1)
                    }
                }
            },
        },
    }
}

/// DSN and Redis URL files others may read or write, located at their
/// `url_file`: the target would be refused at start. A file not there yet
/// is not an error here (the config may be checked away from where it runs).
fn secret_files(loaded: &crate::config::Loaded) -> Vec<crate::base::diag::FileError> {
    let c = &loaded.config;
    c.postgres
        .iter()
        .filter_map(|pg| pg.url_file.as_ref())
        .chain(c.redis.iter().filter_map(|r| r.url_file.as_ref()))
        .filter(|f| f.get_ref().exists())
        .filter_map(|f| {
            let refused = crate::connect::postgres::dsn::private_file(f.get_ref()).err()?;
            Some(crate::base::diag::FileError::at_offset(
                &loaded.path,
                &loaded.text,
                f.span().start,
                format!("url_file {refused}"),
            ))
        })
        .collect()
}
