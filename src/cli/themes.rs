use crate::config::theme::Theme;
use std::process::ExitCode;

pub fn run() -> ExitCode {
    for name in Theme::builtin_names() {
        let t = Theme::load(name).expect("built-in themes are valid");
        println!("{:<15} {}", t.name, t.description);
    }
    println!("\nUse one with --theme NAME, `theme = \"NAME\"` in the config, or :theme NAME in the console.");
    println!("A theme file of your own can set `inherits = \"default\"` and override any [roles].");
    ExitCode::SUCCESS
}
