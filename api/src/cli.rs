//! The `wish-api` command line: `serve` (the default), `migrate`, `seed`, `schema`.

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{DatabaseSettings, LogSettings, ServeSettings};
use crate::startup::Application;
use crate::{db, graphql, service, telemetry};

#[derive(Parser, Debug)]
#[command(
    name = "wish-api",
    version,
    about = "GraphQL API of WISH-EU: small-scale detention facilities in Europe"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseSettings,

    #[command(flatten)]
    pub log: LogSettings,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server (the default): migrates, loads the demo data on first start, serves.
    Serve(ServeSettings),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo data set; records that already exist are left as they are.
    Seed,
    /// Print the GraphQL schema (SDL) and exit.
    Schema,
}

/// Runs the command the user asked for.
///
/// # Errors
/// Any failure to reach the database, bind the port or serve, with context.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init(&cli.log);
    match cli.command {
        None => serve(cli.database, default_serve_settings()).await,
        Some(Command::Serve(settings)) => serve(cli.database, settings).await,
        Some(Command::Migrate) => {
            let db = db::connect(&cli.database).await?;
            db::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Some(Command::Seed) => {
            let db = db::connect(&cli.database).await?;
            db::migrate(&db).await?;
            let report = service::demo::load(&db)
                .await
                .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            tracing::info!(
                facilities = report.facilities,
                workshops = report.workshops,
                guidelines = report.guidelines,
                "demo data loaded (existing records left unchanged)"
            );
            Ok(())
        }
        Some(Command::Schema) => {
            let sdl = graphql::schema::sdl();
            std::io::Write::write_all(&mut std::io::stdout(), sdl.as_bytes())
                .context("while writing the schema to standard output")
        }
    }
}

fn default_serve_settings() -> ServeSettings {
    // `wish-api` alone behaves as `wish-api serve` with its flags' defaults and environment.
    #[derive(Parser)]
    struct ServeOnly {
        #[command(flatten)]
        settings: ServeSettings,
    }
    ServeOnly::parse_from(["wish-api"]).settings
}

async fn serve(database: DatabaseSettings, settings: ServeSettings) -> anyhow::Result<()> {
    let app = Application::build(&database, settings).await?;
    tracing::info!(
        address = %app.address(),
        graphql = format!("http://{}/graphql", app.address()),
        graphiql = format!("http://{}/graphiql", app.address()),
        "wish-api is serving"
    );
    app.run_until_stopped().await.context("while serving HTTP")
}
