use crate::helpers::{Backend, spawn_app};
use crate::on_both_databases;

async fn health_answers_ok(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app.get("/health").await;

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

async fn ready_answers_ok_when_the_database_answers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app.get("/ready").await;

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

async fn unknown_path_answers_404_in_json(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app.get("/nothing-here").await;

    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "NOT_FOUND");
}

on_both_databases!(
    health_answers_ok,
    ready_answers_ok_when_the_database_answers,
    unknown_path_answers_404_in_json
);
