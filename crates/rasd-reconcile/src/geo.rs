/// Great-circle distance in kilometres between two points given in degrees.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn albukamal_to_al_qaim_is_about_eight_km() {
        let d = haversine_km(34.45226, 40.91854, 34.39251, 40.98945);
        assert!((8.0..10.5).contains(&d), "{d}");
        assert!(haversine_km(34.0, 40.0, 34.0, 40.0).abs() < 1e-9);
    }
}
