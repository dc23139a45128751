//! Small anonymous requests that once aborted, froze or exhausted the server
//! (hardening, round two): each is now refused at once with its contract
//! code, or answered, and the server goes on serving.

use std::time::{Duration, Instant};

use entity::value::Role;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{
    Backend, TestApp, assert_error_code, first_error, serve_settings, spawn_app, spawn_app_with,
    token,
};
use crate::on_both_databases;

const COUNT: &str = "query($filter: FacilityFilter) { facilities(filter: $filter) { totalCount } }";

/// A refusal must come at once: these used to take seconds or minutes.
const AT_ONCE: Duration = Duration::from_secs(2);

fn field_of(response: &Value) -> &Value {
    &first_error(response)["extensions"]["field"]
}

async fn still_serving(app: &TestApp) {
    let health = app.get("/health").await;
    assert_eq!(health.status(), 200, "the server stopped answering");
    let data = app.query(COUNT, json!({})).await;
    assert!(data["facilities"]["totalCount"].as_i64() > Some(0));
}

async fn create_with_principles(app: &TestApp, name: &str, principles: &[&str]) {
    let (status, body) = app
        .graphql_as(
            &token(Role::Editor, None),
            "mutation($input: FacilityInput!) { createFacility(input: $input) { id } }",
            json!({ "input": {
                "name": name, "countryCode": "BE", "facilityType": "DETENTION_HOUSE",
                "status": "PLANNED", "principles": principles
            } }),
        )
        .await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body:#}");
}

async fn a_list_of_25000_principles_is_refused_and_repeats_are_asked_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    create_with_principles(&app, "Huis A", &["SMALL_SCALE", "DIFFERENTIATION"]).await;
    create_with_principles(&app, "Huis B", &["SMALL_SCALE"]).await;

    // About 300 KB of the same principle: it aborted the process.
    let flood = vec!["SMALL_SCALE"; 25_000].join(",");
    let started = Instant::now();
    let response = app
        .graphql(
            &format!("{{ facilities(filter: {{ principles: [{flood}] }}) {{ totalCount }} }}"),
            json!({}),
        )
        .await;
    assert!(started.elapsed() < AT_ONCE, "took {:?}", started.elapsed());
    assert_error_code(&response, "BAD_USER_INPUT");
    assert_eq!(field_of(&response), "filter.principles");
    still_serving(&app).await;

    // Within the limit, repeats are one value, and all of them must apply.
    let before = app.statements.get();
    app.query(
        COUNT,
        json!({ "filter": { "principles": ["SMALL_SCALE"] } }),
    )
    .await;
    let once = app.statements.get() - before;
    let before = app.statements.get();
    let repeated = app
        .query(
            COUNT,
            json!({ "filter": { "principles": vec!["SMALL_SCALE"; 100] } }),
        )
        .await;
    assert_eq!(repeated["facilities"]["totalCount"], 2);
    assert_eq!(
        app.statements.get() - before,
        once,
        "as many statements as one principle"
    );
    let both = app
        .query(
            COUNT,
            json!({ "filter": { "principles": ["DIFFERENTIATION", "SMALL_SCALE", "DIFFERENTIATION"] } }),
        )
        .await;
    assert_eq!(both["facilities"]["totalCount"], 1);

    // The CSV export takes the same filters, with the same bound.
    let csv = app
        .get(&format!(
            "/facilities.csv?principles={}",
            vec!["small_scale"; 1_500].join(",")
        ))
        .await;
    assert_eq!(csv.status(), 400);
    let body: Value = csv.json().await.unwrap();
    assert_eq!(body["code"], "BAD_USER_INPUT");
    assert_eq!(body["field"], "principles");
    let csv = app
        .get(&format!(
            "/facilities.csv?principles={}",
            vec!["small_scale"; 50].join(",")
        ))
        .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(
        csv.text().await.unwrap().lines().count(),
        3,
        "header and two rows"
    );
}

async fn tens_of_thousands_of_list_items_are_refused_naming_the_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let codes = vec!["BE"; 30_000];
    let response = app
        .graphql(COUNT, json!({ "filter": { "countryCode": codes } }))
        .await;
    assert_error_code(&response, "BAD_USER_INPUT");
    assert_eq!(field_of(&response), "filter.countryCode");

    let fine = app
        .query(
            COUNT,
            json!({ "filter": { "countryCode": vec!["BE"; 100] } }),
        )
        .await;
    let once = app
        .query(COUNT, json!({ "filter": { "countryCode": ["BE"] } }))
        .await;
    assert_eq!(fine, once);
    still_serving(&app).await;
}

/// `fragment L0 on Viewer { ...L1 ...L1 }` and so on: 2^levels spreads.
fn doubling_fragments(levels: usize) -> String {
    let mut query = String::from("query { viewer { ...L0 } }\n");
    for level in 0..levels {
        query.push_str(&format!(
            "fragment L{level} on Viewer {{ ...L{next} ...L{next} }}\n",
            next = level + 1
        ));
    }
    query.push_str(&format!("fragment L{levels} on Viewer {{ role }}\n"));
    query
}

async fn fragments_that_double_at_each_level_are_refused_at_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // 25 levels took 9.5 s; 30 did not answer in 120 s.
    for (levels, limit) in [
        (25, "WISH_MAX_QUERY_FIELDS"),
        (30, "32 deep"),
        (60, "32 deep"),
    ] {
        let started = Instant::now();
        let response = app.graphql(&doubling_fragments(levels), json!({})).await;
        assert!(
            started.elapsed() < AT_ONCE,
            "{levels} levels took {:?}",
            started.elapsed()
        );
        assert_error_code(&response, "QUERY_TOO_COMPLEX");
        let message = first_error(&response)["message"].as_str().unwrap();
        assert!(message.contains(limit), "{message}");
    }
    // Four spreads a level for twelve levels: wide, not deep.
    let mut wide = String::from("query { viewer { ...W0 } }\n");
    for level in 0..12 {
        let next = level + 1;
        wide.push_str(&format!(
            "fragment W{level} on Viewer {{ ...W{next} ...W{next} ...W{next} ...W{next} }}\n"
        ));
    }
    wide.push_str("fragment W12 on Viewer { role }\n");
    let response = app.graphql(&wide, json!({})).await;
    assert_error_code(&response, "QUERY_TOO_COMPLEX");
    // A fragment spread a few times is fine.
    let small = app.graphql(&doubling_fragments(3), json!({})).await;
    assert!(small.get("errors").is_none(), "{small:#}");
}

async fn brackets_nested_a_hundred_thousand_deep_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let depth = 100_000;
    let query = format!(
        "{{ facilities(filter: {{ countryCode: {}\"BE\"{} }}) {{ totalCount }} }}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let response = app.graphql(&query, json!({})).await;
    assert_error_code(&response, "QUERY_TOO_COMPLEX");
    still_serving(&app).await;
}

async fn repeated_principles_by_get_leave_the_pool_to_others(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // About 150 repeated principles in a 1.8 KB GET ran until PostgreSQL's
    // statement timeout; twenty at once took the pool. Now they are one value.
    let principles = vec!["SMALL_SCALE"; 150].join(",");
    let query =
        format!("{{ facilities(filter: {{ principles: [{principles}] }}) {{ totalCount }} }}");
    let url = reqwest::Url::parse_with_params(
        &format!("{}/graphql", app.address),
        &[("query", query.as_str())],
    )
    .unwrap();
    let floods = (0..20).map(|_| {
        let client = app.client.clone();
        let url = url.clone();
        async move {
            let started = Instant::now();
            let response: Value = client.get(url).send().await.unwrap().json().await.unwrap();
            (started.elapsed(), response)
        }
    });
    let ordinary = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let started = Instant::now();
        let data = app
            .query(COUNT, json!({ "filter": { "countryCode": ["NL"] } }))
            .await;
        (started.elapsed(), data)
    };
    let (floods, (waited, ordinary)) =
        tokio::join!(futures_util::future::join_all(floods), ordinary);
    for (took, response) in floods {
        assert!(took < AT_ONCE, "a repeated-principles read took {took:?}");
        assert!(response.get("errors").is_none(), "{response:#}");
        assert_eq!(response["data"]["facilities"]["totalCount"], 0);
    }
    assert!(waited < AT_ONCE, "an ordinary read waited {waited:?}");
    assert!(ordinary["facilities"]["totalCount"].as_i64() > Some(0));
}

async fn extreme_cursors_are_refused_not_a_dropped_connection(backend: Backend) {
    use base64::Engine;
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let page = app
        .query(
            "{ facilities(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = page["facilities"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap();
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let raw = String::from_utf8(engine.decode(cursor).unwrap()).unwrap();
    let fingerprint = raw.split(':').nth(1).unwrap().to_owned();
    for offset in [
        u64::MAX.to_string(),
        (1u64 << 63).to_string(),
        ((1u64 << 40) + 1).to_string(),
    ] {
        let forged = engine.encode(format!("c1:{fingerprint}:{offset}"));
        for argument in ["after", "before"] {
            let response = app
                .graphql(
                    &format!(
                        "query($c: String) {{ facilities(first: 1, {argument}: $c) {{ nodes {{ slug }} }} }}"
                    ),
                    json!({ "c": forged }),
                )
                .await;
            assert_error_code(&response, "BAD_USER_INPUT");
            assert_eq!(field_of(&response), argument, "{offset}");
        }
    }
    still_serving(&app).await;
}

async fn control_and_invisible_characters_are_refused_naming_the_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let create = "mutation($input: FacilityInput!) { createFacility(input: $input) { id } }";
    for (name, field) in [
        ("Huis\u{0}Noord", "input.name"),
        ("Huis \u{202e}droN", "input.name"),
        ("Huis\u{200b}Noord", "input.name"),
        ("Huis\nNoord", "input.name"),
    ] {
        let (status, response) = app
            .graphql_as(
                &editor,
                create,
                json!({ "input": { "name": name, "countryCode": "BE",
                    "facilityType": "DETENTION_HOUSE", "status": "PLANNED" } }),
            )
            .await;
        assert_eq!(status, 200);
        assert_error_code(&response, "BAD_USER_INPUT");
        assert_eq!(field_of(&response), field, "{name:?}");
    }
    // Written in the document rather than sent as a variable.
    let response = app
        .graphql(
            "{ facilities(filter: { text: \"a\\u0000b\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_error_code(&response, "BAD_USER_INPUT");
    assert_eq!(field_of(&response), "filter.text");
    let csv = app.get("/facilities.csv?text=a%00b").await;
    assert_eq!(csv.status(), 400);
    // Line breaks stay fine in prose.
    let (_, response) = app
        .graphql_as(
            &editor,
            create,
            json!({ "input": { "name": "Huis Noord", "countryCode": "BE",
                "facilityType": "DETENTION_HOUSE", "status": "PLANNED",
                "description": [{ "lang": "en", "text": "Two lines.\nThe second." }] } }),
        )
        .await;
    assert!(response.get("errors").is_none(), "{response:#}");
    still_serving(&app).await;
}

async fn an_operation_name_that_is_not_a_graphql_name_is_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for name in [
        "x".repeat(1_000_000),
        "Map\nPage".to_owned(),
        "a\u{0}".to_owned(),
    ] {
        let response: Value = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "query Map { facilities { totalCount } }", "operationName": name }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_error_code(&response, "BAD_USER_INPUT");
        assert_eq!(field_of(&response), "operationName");
        assert!(response.to_string().len() < 1_000, "the name is not echoed");
    }
    let named = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(
            &json!({ "query": "query Map { facilities { totalCount } }", "operationName": "Map" }),
        )
        .send()
        .await
        .unwrap();
    let named: Value = named.json().await.unwrap();
    assert!(named.get("errors").is_none(), "{named:#}");
}

async fn a_post_that_is_not_json_is_refused_with_415(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let body = r#"{"query":"{ facilities { totalCount } }"}"#;
    for content_type in [
        None,
        Some("application/jsonp"),
        Some("text/plain"),
        Some("application/json; charset=latin1"),
    ] {
        let mut request = app
            .client
            .post(format!("{}/graphql", app.address))
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 415, "{content_type:?}");
        let response: Value = response.json().await.unwrap();
        assert_error_code(&response, "BAD_USER_INPUT");
    }
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Content-Type", "application/json; charset=UTF-8")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn a_syntax_error_is_located_without_echoing_the_line(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app
        .graphql(
            "{ facilities { totalCount } }\n{ secret-looking-text-of-the-caller ",
            json!({}),
        )
        .await;
    assert_error_code(&response, "BAD_USER_INPUT");
    let error = first_error(&response);
    let message = error["message"].as_str().unwrap();
    assert!(!message.contains("secret"), "{message}");
    assert!(message.contains("line 2"), "{message}");
    assert_eq!(error["locations"][0]["line"], 2);
}

async fn a_body_trickled_a_byte_at_a_time_is_cut_off(backend: Backend) {
    let mut settings = serve_settings();
    settings.body_timeout_ms = 500;
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    stream
        .write_all(
            format!(
                "POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    // One byte every 100 ms, until the server answers or 5 s have passed.
    while started.elapsed() < Duration::from_secs(5) {
        if stream.write_all(b" ").await.is_err() {
            break;
        }
        let mut chunk = [0u8; 4096];
        match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut chunk)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&chunk[..n]),
            Err(_) => {}
        }
        if !answer.is_empty() {
            let _ =
                tokio::time::timeout(Duration::from_secs(1), stream.read_to_end(&mut answer)).await;
            break;
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("BAD_USER_INPUT"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "cut off after {:?}",
        started.elapsed()
    );
    still_serving(&app).await;
}

async fn an_answer_over_the_size_limit_is_refused(backend: Backend) {
    let mut settings = serve_settings();
    settings.max_response_bytes = 4_096;
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    let response = app
        .graphql(
            "{ facilities(first: 100) { nodes { name city sourceUrl } } }",
            json!({}),
        )
        .await;
    assert_error_code(&response, "QUERY_TOO_COMPLEX");
    let message = first_error(&response)["message"].as_str().unwrap();
    assert!(message.contains("WISH_MAX_RESPONSE_BYTES"), "{message}");
    let small = app
        .query("{ facilities(first: 2) { nodes { name } } }", json!({}))
        .await;
    assert_eq!(
        small["facilities"]["nodes"].as_array().map(Vec::len),
        Some(2)
    );
}

async fn a_request_over_its_database_budget_is_stopped(backend: Backend) {
    let mut settings = serve_settings();
    settings.request_db_budget_ms = 1;
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    // Twenty operations of a few statements each: well over a millisecond.
    let batch: Vec<Value> = (0..20)
        .map(|i| {
            json!({ "query": format!(
                "{{ facilities(first: 50, filter: {{ text: \"huis{i}\" }}) {{ totalCount nodes {{ name visits {{ totalCount }} }} }} }}"
            ) })
        })
        .collect();
    let response: Value = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_error_code(&response, "QUERY_TOO_COMPLEX");
    let message = first_error(&response)["message"].as_str().unwrap();
    assert!(message.contains("WISH_REQUEST_DB_BUDGET_MS"), "{message}");
}

async fn a_persisted_query_sent_by_hash_has_its_variables_checked(backend: Backend) {
    use sha2::Digest;
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let hash: String = sha2::Sha256::digest(COUNT.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let send = |body: Value| {
        app.client
            .post(format!("{}/graphql", app.address))
            .json(&body)
            .send()
    };
    let registered: Value = send(json!({ "query": COUNT, "extensions": extensions }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(registered.get("errors").is_none(), "{registered:#}");
    // By hash alone, async-graphql looks the document up; the same limits hold.
    let flood: Value = send(json!({
        "extensions": extensions,
        "variables": { "filter": { "countryCode": vec!["BE"; 5_000] } }
    }))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_error_code(&flood, "BAD_USER_INPUT");
    assert_eq!(field_of(&flood), "filter.countryCode");
    let nul: Value = send(json!({
        "extensions": extensions,
        "variables": { "filter": { "text": "a\u{0}b" } }
    }))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_error_code(&nul, "BAD_USER_INPUT");
    assert_eq!(field_of(&nul), "filter.text");
}

on_both_databases!(
    a_persisted_query_sent_by_hash_has_its_variables_checked,
    a_list_of_25000_principles_is_refused_and_repeats_are_asked_once,
    tens_of_thousands_of_list_items_are_refused_naming_the_field,
    fragments_that_double_at_each_level_are_refused_at_once,
    brackets_nested_a_hundred_thousand_deep_are_refused,
    repeated_principles_by_get_leave_the_pool_to_others,
    extreme_cursors_are_refused_not_a_dropped_connection,
    control_and_invisible_characters_are_refused_naming_the_field,
    an_operation_name_that_is_not_a_graphql_name_is_refused,
    a_post_that_is_not_json_is_refused_with_415,
    a_syntax_error_is_located_without_echoing_the_line,
    a_body_trickled_a_byte_at_a_time_is_cut_off,
    an_answer_over_the_size_limit_is_refused,
    a_request_over_its_database_budget_is_stopped,
);
