# syntax=docker/dockerfile:1
# A small runtime image of wish-api, configured by environment (see README).
#   docker build -t wish-api .
#   docker run -p 8080:8080 -v wish-data:/var/lib/wish-api wish-api
#   docker run -p 8080:8080 -e WISH_DATABASE_URL=postgres://wish:...@db/wish wish-api

FROM rust:1.95-slim-bookworm AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /app

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

# Dependencies build in their own layer, so a code change rebuilds only the project.
FROM chef AS builder
COPY --from=planner /app/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked --bin wish-api

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/wish-api --create-home wish
COPY --from=builder /app/target/release/wish-api /usr/local/bin/wish-api
USER 10001:10001
WORKDIR /var/lib/wish-api
ENV WISH_BIND=0.0.0.0:8080 \
    WISH_DATABASE_URL=sqlite:///var/lib/wish-api/wish-api.db?mode=rwc \
    WISH_LOG_FORMAT=json
# The embedded SQLite file lives here; with PostgreSQL the volume stays empty.
VOLUME ["/var/lib/wish-api"]
EXPOSE 8080
# Liveness: the process answers. Orchestrators route traffic on /ready (the database answers too).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["wish-api"]
CMD ["serve"]
