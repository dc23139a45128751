//! One computation per key at a time. After every write the data version
//! changes and every cached answer is stale at once; without this, each of
//! the requests that arrive before the first answer is made computes the
//! same answer itself (at 50,000 facilities, thirty-two GeoJSON exports of
//! 15 MB at the same moment). With it, the first request computes and the
//! others wait for its value (or, see [`Flights::is_under_way`], are given
//! an earlier answer while it is made).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Mutex;

use tokio::sync::watch;

/// The computations under way, by key, each with its value once made.
pub struct Flights<K, V> {
    running: Mutex<HashMap<K, watch::Receiver<Option<V>>>>,
}

impl<K, V> Default for Flights<K, V> {
    fn default() -> Self {
        Self {
            running: Mutex::new(HashMap::new()),
        }
    }
}

/// What a request does for a key: compute it, or wait for the one who does.
enum Role<V> {
    Leader(watch::Sender<Option<V>>),
    Follower(watch::Receiver<Option<V>>),
}

impl<K: Hash + Eq + Clone, V: Clone> Flights<K, V> {
    /// `compute`'s value, or the value of the same key's computation already
    /// under way. An `Err` is not shared: when the computation fails, or its
    /// request goes away before it ends, one of those waiting computes in its
    /// place (the others wait for that one), so no caller waits longer than a
    /// computation of its own and one failure does not fail the others.
    ///
    /// # Errors
    /// Those of `compute`, when this call ran it.
    pub async fn run<E, F, Fut>(&self, key: K, compute: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        loop {
            match self.enter(&key) {
                Role::Follower(mut done) => {
                    if let Ok(value) = done.wait_for(Option::is_some).await
                        && let Some(value) = value.as_ref()
                    {
                        return Ok(value.clone());
                    }
                    // The leader failed or went away: lead in its place.
                }
                Role::Leader(done) => {
                    let landing = Landing { flights: self, key };
                    let result = compute().await;
                    if let Ok(value) = &result {
                        done.send_replace(Some(value.clone()));
                    }
                    drop(landing);
                    return result;
                }
            }
        }
    }

    /// Whether a computation of `key` is under way.
    pub fn is_under_way(&self, key: &K) -> bool {
        let running = self
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        running
            .get(key)
            .is_some_and(|done| done.has_changed().is_ok())
    }

    fn enter(&self, key: &K) -> Role<V> {
        let mut running = self
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(done) = running.get(key)
            && done.has_changed().is_ok()
        {
            return Role::Follower(done.clone());
        }
        let (sender, receiver) = watch::channel(None);
        running.insert(key.clone(), receiver);
        Role::Leader(sender)
    }

    /// How many computations are under way.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.running.lock().map(|r| r.len()).unwrap_or_default()
    }
}

/// Takes a key off the running list when its computation ends, also when
/// its request is dropped half-way.
struct Landing<'a, K: Hash + Eq, V> {
    flights: &'a Flights<K, V>,
    key: K,
}

impl<K: Hash + Eq, V> Drop for Landing<'_, K, V> {
    fn drop(&mut self) {
        self.flights
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    async fn slow(count: Arc<AtomicUsize>, value: u32) -> Result<u32, String> {
        count.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok(value)
    }

    #[tokio::test]
    async fn concurrent_requests_for_one_key_compute_once() {
        let flights = Arc::new(Flights::<u8, u32>::default());
        let count = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for value in 0..32 {
            let (flights, count) = (flights.clone(), count.clone());
            tasks.push(tokio::spawn(async move {
                flights.run(7, || slow(count, value)).await
            }));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(flights.is_under_way(&7), "under way");
        assert!(!flights.is_under_way(&8));
        let mut values = Vec::new();
        for task in tasks {
            values.push(task.await.unwrap().unwrap());
        }
        assert_eq!(count.load(Ordering::SeqCst), 1, "one computation");
        assert!(values.windows(2).all(|w| w[0] == w[1]), "{values:?}");
        assert_eq!(flights.len(), 0, "nothing left running");
        assert!(!flights.is_under_way(&7), "landed");

        // Another key, and the same key once the first flight landed, compute anew.
        assert_eq!(flights.run(8, || slow(count.clone(), 80)).await, Ok(80));
        assert_eq!(flights.run(7, || slow(count.clone(), 70)).await, Ok(70));
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_failed_or_abandoned_leader_hands_over_to_one_follower() {
        let flights = Arc::new(Flights::<u8, u32>::default());
        let count = Arc::new(AtomicUsize::new(0));
        let leader = {
            let (flights, count) = (flights.clone(), count.clone());
            tokio::spawn(async move {
                flights
                    .run(1, || async move {
                        count.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Err::<u32, _>("the database went away".to_owned())
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        let mut followers = Vec::new();
        for value in 0..8 {
            let (flights, count) = (flights.clone(), count.clone());
            followers.push(tokio::spawn(async move {
                flights.run(1, || slow(count, value)).await
            }));
        }
        assert!(leader.await.unwrap().is_err(), "the leader keeps its error");
        let values: Vec<u32> = futures_util::future::join_all(followers)
            .await
            .into_iter()
            .map(|r| r.unwrap().unwrap())
            .collect();
        assert_eq!(count.load(Ordering::SeqCst), 2, "one retry, not eight");
        assert!(values.windows(2).all(|w| w[0] == w[1]), "{values:?}");

        // A leader dropped half-way lets the next caller lead.
        let abandoned = {
            let (flights, count) = (flights.clone(), count.clone());
            tokio::spawn(async move { flights.run(2, || slow(count, 1)).await })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        abandoned.abort();
        let _ = abandoned.await;
        assert_eq!(flights.len(), 0);
        assert_eq!(flights.run(2, || slow(count.clone(), 2)).await, Ok(2));
    }
}
