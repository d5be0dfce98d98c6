//! A distribution served through [`Live`] with the file watcher on, as `edgesim serve` runs it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use edgesim::proxy::{
    Config, Distribution, Live, Rebuild, ReloadEvent, Reloader, ServeOptions, Server,
};

use crate::harness::{request, Reply, TempDir};

/// What the reloader reported, in order.
pub type Events = Arc<Mutex<Vec<String>>>;

pub struct LiveEdge {
    pub dir: TempDir,
    pub server: Server,
    _live: Arc<Live>,
    pub events: Events,
    _reloader: Option<Reloader>,
}

impl LiveEdge {
    /// Writes the files and `edgesim.toml`, starts the proxy, and watches the files when
    /// `watch`.
    pub async fn start(config: &str, files: &[(&str, &str)], watch: bool) -> LiveEdge {
        LiveEdge::start_with(config, files, watch, ServeOptions::default()).await
    }

    pub async fn start_with(
        config: &str,
        files: &[(&str, &str)],
        watch: bool,
        options: ServeOptions,
    ) -> LiveEdge {
        let dir = TempDir::new();
        for (name, content) in files {
            dir.write(name, content);
        }
        dir.write("edgesim.toml", config);
        let path = dir.0.join("edgesim.toml");
        let config = Config::load(&path).expect("config");
        let distribution = Distribution::start(&config).await.expect("distribution");
        let live = Live::new(distribution.clone(), distribution.recent_buffer());
        let server = Server::bind_live(live.clone(), "127.0.0.1:0", options)
            .await
            .expect("bind");
        let events: Events = Arc::default();
        let reloader = watch.then(|| {
            let rebuild: Rebuild = Box::new(move |old, changed| {
                let path = path.clone();
                Box::pin(async move {
                    let config = Config::load(&path)?;
                    let next = Distribution::rebuild(&config, &old, &changed).await?;
                    Ok((next, config))
                })
            });
            let seen = events.clone();
            Reloader::start(&config, live.clone(), rebuild, move |event| {
                let line = match event {
                    ReloadEvent::Reloaded { cache_kept, .. } => {
                        format!("reloaded cache_kept={cache_kept}")
                    }
                    ReloadEvent::Failed { error, .. } => format!("failed: {error}"),
                };
                seen.lock().unwrap().push(line);
            })
            .expect("watch")
        });
        LiveEdge {
            dir,
            server,
            _live: live,
            events,
            _reloader: reloader,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        let req = http::Request::get(path).body(String::new()).unwrap();
        request(self.server.local_addr(), req).await
    }

    pub fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    /// Waits (up to 20 s) until the reloader has reported `n` events.
    pub async fn wait_events(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            if self.events().len() >= n {
                return self.events();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the reloader reported {:?}, expected {n} event(s)",
            self.events()
        );
    }
}
