//! Answers every request with the bytes of one file, as JSON: the fastest an
//! actix-web handler serves a ready answer. `bench/cached.sh` measures
//! wish-api's cached answers against it, on the same machine, with the same
//! number of workers and the same load.
//!
//! Usage: `wish-bench-baseline ADDRESS FILE [WORKERS]`.

use actix_web::{App, HttpResponse, HttpServer, web};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(address), Some(file)) = (args.next(), args.next()) else {
        eprintln!("usage: wish-bench-baseline ADDRESS FILE [WORKERS]");
        std::process::exit(2);
    };
    let workers = args.next().and_then(|w| w.parse().ok()).unwrap_or(2);
    let answer = web::Bytes::from(std::fs::read(&file)?);
    HttpServer::new(move || {
        let answer = answer.clone();
        // The request's body is read, as a GraphQL server reads it: actix
        // closes a connection whose body was left unread, and every request
        // would pay for a new one.
        App::new().default_service(web::to(move |_request: web::Bytes| {
            let answer = answer.clone();
            async move {
                HttpResponse::Ok()
                    .content_type("application/graphql-response+json")
                    .body(answer)
            }
        }))
    })
    .workers(workers)
    .bind(address)?
    .run()
    .await
}
