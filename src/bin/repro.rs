//! `np-playground repro`: the reproduction report (being written).
pub fn run(_args: &[String]) -> Result<(), String> {
    Err("the reproduction report is not built yet".into())
}
