//! Serves [`axum_example::app`] on 127.0.0.1:3000, or the address given as
//! the first argument, until Ctrl-C.

use std::net::SocketAddr;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = match std::env::args().nth(1) {
        Some(arg) => {
            arg.parse().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{arg}: {e}")))?
        }
        None => SocketAddr::from(([127, 0, 0, 1], 3000)),
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("serving on http://{}/ (metrics on /metrics)", listener.local_addr()?);
    axum::serve(listener, axum_example::app())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
