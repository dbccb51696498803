//! The number grammars of the two expositions.
//!
//! Prometheus text takes what Go's `strconv.ParseFloat` takes, minus the hex
//! floats and digit underscores that `expfmt` refuses: decimals with an
//! optional exponent, and `Inf`, `Infinity` (either with a sign) and `NaN` in
//! any case. Timestamps are `strconv.ParseInt` integers. OpenMetrics takes the
//! `realnumber` of its ABNF and spells the special values `+Inf`, `-Inf` and
//! `NaN` exactly. In both, a decimal too large for an `f64` is an error, not
//! an infinity (Go reports `ErrRange`; OpenMetrics numbers "MUST fit").

/// Why a token is not a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NumberError {
    /// Not the grammar of a number.
    Syntax,
    /// A decimal whose magnitude overflows the type.
    Range,
}

/// `[sign] (digits ["." digits*] | "." digits) [("e" | "E") [sign] digits]`.
fn is_decimal(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == bytes.len()
}

fn finite_decimal(s: &str) -> Result<f64, NumberError> {
    if !is_decimal(s) {
        return Err(NumberError::Syntax);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(NumberError::Range),
        Err(_) => Err(NumberError::Syntax),
    }
}

/// A sample value or `le`/`quantile` bound in Prometheus text.
pub(super) fn prometheus_float(s: &str) -> Result<f64, NumberError> {
    if let Ok(v) = finite_decimal(s) {
        return Ok(v);
    }
    if is_decimal(s) {
        return Err(NumberError::Range);
    }
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        Ok(if negative { f64::NEG_INFINITY } else { f64::INFINITY })
    } else if unsigned.len() == s.len() && s.eq_ignore_ascii_case("nan") {
        // Go takes no sign on NaN.
        Ok(f64::NAN)
    } else {
        Err(NumberError::Syntax)
    }
}

/// A timestamp in Prometheus text: an `int64` of milliseconds.
pub(super) fn prometheus_timestamp(s: &str) -> Result<i64, NumberError> {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::Syntax);
    }
    s.parse::<i64>().map_err(|_| NumberError::Range)
}

/// A `number` of OpenMetrics: a real number, `+Inf`, `-Inf` or `NaN`.
pub(super) fn openmetrics_number(s: &str) -> Result<f64, NumberError> {
    match s {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => finite_decimal(s),
    }
}

/// A `realnumber` of OpenMetrics (timestamps): finite, no special values.
pub(super) fn openmetrics_real(s: &str) -> Result<f64, NumberError> {
    finite_decimal(s)
}

/// Whether `s` spells infinity or NaN in some other way than OpenMetrics does
/// (`inf`, `+inf`, `Infinity`, `nan`, ...), for a precise message.
pub(super) fn is_misspelled_special(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    ["inf", "infinity", "nan"].iter().any(|special| unsigned.eq_ignore_ascii_case(special))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_follow_the_grammar() {
        for ok in ["0", "0042", "1.", ".5", "-1.5", "+2", "1e3", "1E-3", "-.5e+10", "1.89e-7"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", ".", "+", "-", "e5", "1e", "1e+", "1.5.2", "1_000", "0x10", " 1", "1 ", "١"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn prometheus_floats_are_go_floats() {
        assert_eq!(prometheus_float("-2.5e3"), Ok(-2500.0));
        for inf in ["Inf", "+Inf", "inf", "+infinity", "INF"] {
            assert_eq!(prometheus_float(inf), Ok(f64::INFINITY), "{inf}");
        }
        assert_eq!(prometheus_float("-Inf"), Ok(f64::NEG_INFINITY));
        assert!(prometheus_float("NaN").unwrap().is_nan());
        assert!(prometheus_float("nan").unwrap().is_nan());
        assert_eq!(prometheus_float("+NaN"), Err(NumberError::Syntax));
        assert_eq!(prometheus_float("infin"), Err(NumberError::Syntax));
        assert_eq!(prometheus_float("0x1p3"), Err(NumberError::Syntax));
        assert_eq!(prometheus_float("1e400"), Err(NumberError::Range));
        assert_eq!(prometheus_float("1e-400"), Ok(0.0));
    }

    #[test]
    fn prometheus_timestamps_are_int64() {
        assert_eq!(prometheus_timestamp("1700000000000"), Ok(1_700_000_000_000));
        assert_eq!(prometheus_timestamp("-5"), Ok(-5));
        assert_eq!(prometheus_timestamp("+5"), Ok(5));
        assert_eq!(prometheus_timestamp("1.5"), Err(NumberError::Syntax));
        assert_eq!(prometheus_timestamp("-"), Err(NumberError::Syntax));
        assert_eq!(prometheus_timestamp("9223372036854775808"), Err(NumberError::Range));
    }

    #[test]
    fn openmetrics_spells_special_values_exactly() {
        assert_eq!(openmetrics_number("+Inf"), Ok(f64::INFINITY));
        assert_eq!(openmetrics_number("-Inf"), Ok(f64::NEG_INFINITY));
        assert!(openmetrics_number("NaN").unwrap().is_nan());
        for bad in ["Inf", "inf", "+inf", "nan", "Infinity", "+NaN"] {
            assert_eq!(openmetrics_number(bad), Err(NumberError::Syntax), "{bad}");
            assert!(is_misspelled_special(bad), "{bad}");
        }
        assert_eq!(openmetrics_real("+Inf"), Err(NumberError::Syntax));
        assert_eq!(openmetrics_real("1700000000.123"), Ok(1_700_000_000.123));
    }
}
