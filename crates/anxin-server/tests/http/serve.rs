//! End to end: the server on a real socket, shut down cleanly.

use std::io::{Read, Write};

use crate::helpers::app;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_on_a_socket_and_stops_on_shutdown() {
    let app = app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(anxin_server::serve_with_listener(
        listener,
        app.state.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    let token = app.manufacturer.clone();
    let reply = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET /epcis/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    })
    .await
    .unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        reply
            .to_ascii_lowercase()
            .contains("gs1-epcis-version: 2.0.0")
    );
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn healthz_answers_a_fixed_body_without_a_token() {
    let app = app().await;
    let reply = app
        .request(axum::http::Method::GET, "/healthz", None, &[], "")
        .await;
    assert_eq!(reply.status, axum::http::StatusCode::OK);
    assert_eq!(reply.body, anxin_server::HEALTHZ_BODY.as_bytes());
}
