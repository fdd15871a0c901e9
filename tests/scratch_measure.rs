use np_playground::rng::{Rng, Stream};
use np_playground::rules::{Method, UpdateBuffers, compute_update, cosine};
use np_playground::run::Trainer;
use np_playground::run::config::RunConfig;

#[test]
fn measure_fd() {
    for seed in 1..=3u64 {
        let cfg = RunConfig::parse(&format!("v=1&data=circle&hidden=8,8&rule=fga&seed={seed}")).unwrap();
        let mut t = Trainer::new(cfg.clone()).unwrap();
        for _ in 0..3 {
            t.step().unwrap();
        }
        let net = t.network().clone();
        let fbuf = t.last_update().clone();
        let bsz = fbuf.trace.batch;
        let x = fbuf.trace.input.as_slice().unwrap().to_vec();
        let y = fbuf.labels.clone();
        // fga on this batch with a fresh stream
        let run = |method: Method, sigma: f32| {
            let mut spec = cfg.update_spec();
            spec.method = method;
            spec.sigma = sigma;
            let plan = spec.passes(net.n_layers());
            let mut buf = UpdateBuffers::default();
            buf.trace.prepare(&net, bsz, &plan);
            buf.trace.input_mut().copy_from_slice(&x);
            buf.labels = y.clone();
            compute_update(&net, &spec, &plan, &mut buf, &mut Rng::stream(seed + 100, Stream::Noise));
            buf
        };
        let f = run(Method::Fga, 0.1);
        for sigma in [1.0f32, 0.3, 0.1, 0.03, 0.01, 1e-3, 1e-4, 1e-5, 1e-6] {
            let n = run(Method::Np, sigma);
            let mut errs: Vec<f64> = (0..bsz)
                .map(|b| {
                    let fd = (n.losses[bsz + b] - n.losses[b]) as f64 / sigma as f64;
                    let d = f.directional[b] as f64;
                    (fd - d).abs() / d.abs()
                })
                .collect();
            errs.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let mean: f64 = errs.iter().sum::<f64>() / bsz as f64;
            let c = cosine(&n.grads, &f.grads, 0..3);
            println!(
                "seed {seed} sigma {sigma:e}: median rel err {:.2e} mean {:.2e}, cos(np, fga) {c:.5}",
                errs[bsz / 2],
                mean
            );
        }
    }
}
