//! Token issue and verify costs (ed25519 sign / verify dominate both).
//!
//! Run: `cargo bench -p net-mesh-sdk --bench identity`.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use net_sdk::{ChannelName, Identity, TokenScope};

fn bench_tokens(c: &mut Criterion) {
    let issuer = Identity::from_seed([0x42; 32]);
    let subject = *Identity::from_seed([7; 32]).entity_id();
    let channel = ChannelName::new("sensors/temp").unwrap();
    let ttl = Duration::from_secs(300);

    let mut group = c.benchmark_group("identity");
    group.sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    // One token per iteration, so the table reports tokens per second.
    group.throughput(Throughput::Elements(1));

    group.bench_function("token_issue", |b| {
        b.iter(|| issuer.issue_token(black_box(subject), TokenScope::SUBSCRIBE, &channel, ttl, 0))
    });

    let token = issuer.issue_token(subject, TokenScope::SUBSCRIBE, &channel, ttl, 0);
    let now = token.not_before + 1;
    group.bench_function("token_verify", |b| b.iter(|| black_box(&token).verify_at(black_box(now)).unwrap()));
    group.finish();
}

criterion_group!(benches, bench_tokens);
criterion_main!(benches);
