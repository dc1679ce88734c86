use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    if let Err(e) = opsdeck::ui::terminal::install_hooks() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let cli = opsdeck::cli::Cli::parse();
    match opsdeck::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            opsdeck::ui::terminal::restore();
            eprintln!("Error: {e:?}");
            ExitCode::from(2)
        }
    }
}
