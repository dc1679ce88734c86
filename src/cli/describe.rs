//! `opsdeck describe ADDRESS [--json]` and `opsdeck get ADDRESS -o yaml|json`:
//! the console's `d` and `y`. Named as kubectl names them (`describe`,
//! `get -o yaml`), since that is what an engineer coming from it types.
//! Exit 0 when the object was read, 2 when it could not be (no such object,
//! target unreachable, refused).

use crate::config::Config;
use crate::source::describe::fetch;
use std::process::ExitCode;

#[derive(Debug, Clone, clap::Args)]
pub struct DescribeArgs {
    /// TARGET/NAMESPACE/NAME (a workload or pod), TARGET/NAMESPACE/KIND/NAME,
    /// TARGET/_/NODE on Kubernetes; TARGET/CONTAINER or TARGET/PROJECT/SERVICE on Docker
    pub address: String,
    /// Print JSON: the title and the sections with their entries
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Yaml,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct GetArgs {
    /// The object, addressed as for describe
    pub address: String,
    /// yaml (Kubernetes' own format; Docker objects are JSON either way) or json
    #[arg(long, short = 'o', value_enum, default_value = "yaml")]
    pub output: Format,
}

pub async fn describe(config: &Config, args: &DescribeArgs) -> ExitCode {
    let fetched = match fetch(config, &args.address).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let d = &fetched.description;
    if args.json {
        match serde_json::to_string_pretty(d) {
            Ok(t) => println!("{t}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print!("{}", d.text());
    }
    ExitCode::SUCCESS
}

pub async fn get(config: &Config, args: &GetArgs) -> ExitCode {
    let text = fetch(config, &args.address)
        .await
        .and_then(|f| f.raw_text(args.output == Format::Json));
    match text {
        Ok(t) => {
            print!("{t}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
