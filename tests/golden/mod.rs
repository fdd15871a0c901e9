//! Golden checksums shared by the native and the WebAssembly determinism tests: the same run must
//! give the same bits on both. Produced by the native CLI, e.g.
//! `cargo run --release -- run 'v=1&data=xor&rule=danp' --steps 300 --json` (field `checksum`).
//! A deliberate change of the numerics (kernels, noise order, initialisation) changes them all:
//! regenerate with that command and say why in the commit.

/// (config string, steps, checksum after that many steps)
pub const RUNS: &[(&str, u64, u64)] = &[
    ("v=1&data=xor&rule=danp", 300, 0x9bba48083e258cf0),
    ("v=1&data=spiral&rule=inp&hidden=16,8&act=relu&draws=2", 300, 0x6f1cd68d2c93c2ff),
    ("v=1&data=moons&rule=anp&mode=blind&act=sigmoid&loss=mse&opt=sgd&lr=0.1", 300, 0x601d9fd4462f0b27),
    ("v=1&data=checker&rule=dbp&act=leaky_relu&hidden=12,12,12&batch=25", 300, 0xc6500a93abbf718c),
    ("v=1&data=gauss&rule=np&act=step&sigma=0.05&seed=42", 300, 0x1d249df55554a69a),
    // The perturbation family (issue 18): weight perturbation and the forward gradients.
    ("v=1&data=xor&rule=wp&draws=2", 300, 0x3ae7eb061cdd8520),
    ("v=1&data=circle&rule=dwp&act=step&sigma=0.05", 300, 0x3b6ee5029c060d98),
    ("v=1&data=moons&rule=fgw&act=leaky_relu&draws=3", 300, 0x14f7e1ab705179c2),
    ("v=1&data=spiral&rule=dfgw&hidden=16,8&loss=mse&opt=sgd&lr=0.01", 300, 0xfdc6d0e2a147bd23),
    ("v=1&data=checker&rule=fga&act=sigmoid&draws=2&batch=25", 300, 0x01f4a5fe26d46a40),
    ("v=1&data=gauss&rule=dfga&act=relu&hidden=12,12,12&seed=42", 300, 0xe5f33f29409eea0c),
];

/// Trains `config` for `steps` steps and returns the checksum.
#[allow(dead_code)] // not every test file that includes this module uses it
pub fn checksum_after(config: &str, steps: u64) -> u64 {
    let mut t = np_playground::Trainer::new(np_playground::RunConfig::parse(config).unwrap()).unwrap();
    t.set_diagnostics(false);
    t.run(steps).unwrap();
    t.checksum()
}
