use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    if let Err(e) = opsdeck::ui::terminal::install_hooks() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let cli = opsdeck::cli::Cli::parse();
    // The entry points sit side by side: the console with no subcommand,
    // the CLI twins otherwise.
    let result = match cli.command {
        None => opsdeck::ui::launch(
            cli.config.clone(),
            cli.theme.clone(),
            cli.read_only,
            cli.ascii,
        ),
        Some(_) => opsdeck::cli::run(cli),
    };
    // The ssh connections opsdeck opened end with it, however it ended.
    opsdeck::connect::ssh::close_all();
    match result {
        Ok(code) => code,
        Err(e) => {
            opsdeck::ui::terminal::restore();
            eprintln!("Error: {e:?}");
            ExitCode::from(2)
        }
    }
}
