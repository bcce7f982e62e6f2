//! The scaled complementary error function erfcx(z) = e^{z²}·erfc(z), built here for speed
//! (no jump table, no library `floor`) at the accuracy of the Faddeeva-package algorithm.
//!
//! * 0 ≤ z ≤ 12: with y = 4/(4 + z) ∈ [¼, 1] (erfcx is smooth and slowly varying in y), twelve
//!   intervals [i/16, (i+1)/16] each carry a degree-9 polynomial in t = 32y − (2i + 1) ∈ [−1, 1]:
//!   the Chebyshev expansion of erfcx on the interval truncated after degree 9 (the dropped
//!   coefficients are below 3e-18 relative) and converted to monomials.
//! * z > 12: z·√π·erfcx(z) = P(1/z²) with a degree-8 polynomial, the truncated Chebyshev
//!   expansion on 1/z² ∈ [0, 1/144] (dropped part below 2e-20), exact in the limit z → ∞.
//! * z < 0: erfcx(z) = 2e^{z²} − erfcx(−z), with z² split exactly so that e^{z²} keeps full
//!   relative precision; +∞ once e^{z²} overflows.
//!
//! The coefficients were derived for ccplan with mpmath at 50 digits by
//! `tests/reference/erfcx_table.py`; `tests/reference/erfcx_reference.csv` (mpmath, 40 digits)
//! checks the result over the whole domain in the tests below (within 2.5 ulp relative).

/// erfcx(z) = e^{z²}·erfc(z) for every z (+∞ for z < −26.64, where e^{z²} overflows; NaN in,
/// NaN out).
#[inline]
pub fn erfcx(z: f64) -> f64 {
    if z >= 0.0 {
        erfcx_nonneg(z)
    } else {
        erfcx_negative(z)
    }
}

/// erfcx(z) for z < 0 (or NaN). Not inlined: LLVM treats `exp` as free of side effects and
/// would otherwise hoist this branch's exponential out of the test at every inlined call site,
/// evaluating it on the common non-negative path too.
#[inline(never)]
fn erfcx_negative(z: f64) -> f64 {
    if z >= -26.0 {
        // 2e^{z²} − erfcx(|z|): e^{z²} ≥ 1 ≥ erfcx(|z|), so no cancellation beyond a factor 2.
        let (hi, lo) = square_split(z);
        2.0 * hi.exp() * (1.0 + lo) - erfcx_nonneg(-z)
    } else if z.is_nan() {
        z
    } else {
        let (hi, lo) = square_split(z);
        2.0 * hi.exp() * (1.0 + lo)
    }
}

#[inline]
fn square_split(z: f64) -> (f64, f64) {
    const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
    let hi = z * z;
    let c = SPLIT * z;
    let zh = c - (c - z);
    let zl = z - zh;
    (hi, ((zh * zh - hi) + 2.0 * zh * zl) + zl * zl)
}

#[inline]
fn erfcx_nonneg(z: f64) -> f64 {
    if z <= 12.0 {
        let r = 1.0 / (4.0 + z);
        // y = 4r ∈ [¼, 1]: interval i = ⌊16y⌋ ∈ [4, 16], clamped to 15 at y = 1.
        let i = ((64.0 * r) as usize).min(15);
        // t = 32y − (2i + 1) = ((124 − 8i) − (2i + 1)·z)/(4 + z), not from the rounded y: near
        // z = 0, erfcx is 7× as sensitive to a relative change of y as y is, and this form
        // keeps t's absolute error near ε instead of 16ε.
        let t = ((124 - 8 * i) as f64 - (2 * i + 1) as f64 * z) * r;
        let c = &ERFCX_Y[i - 4];
        // Estrin's scheme: shorter dependency chains than Horner, same accuracy here (|t| ≤ 1
        // and the coefficients fall by about 10× per degree).
        let t2 = t * t;
        let t4 = t2 * t2;
        let p01 = c[0] + c[1] * t;
        let p23 = c[2] + c[3] * t;
        let p45 = c[4] + c[5] * t;
        let p67 = c[6] + c[7] * t;
        let p89 = c[8] + c[9] * t;
        let p03 = p01 + p23 * t2;
        let p47 = p45 + p67 * t2;
        let p49 = p47 + p89 * t4;
        p03 + p49 * t4
    } else {
        const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;
        let r = 1.0 / z;
        let w = r * r;
        let c = &ERFCX_W;
        let w2 = w * w;
        let w4 = w2 * w2;
        let p01 = c[0] + c[1] * w;
        let p23 = c[2] + c[3] * w;
        let p45 = c[4] + c[5] * w;
        let p67 = c[6] + c[7] * w;
        let p03 = p01 + p23 * w2;
        let p47 = p45 + p67 * w2;
        let p = p03 + (p47 + c[8] * w4) * w4;
        FRAC_1_SQRT_PI * r * p
    }
}

#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
// y-intervals [i/16,(i+1)/16], i = 4..15; local t = 32*(y - (i+1/2)/16); monomial in t, ascending
const ERFCX_Y: [[f64; 10]; 12] = [
    [
        5.4932068172782456426e-2,
        8.4125252244966746646e-3,
        3.4769100154763878302e-4,
        1.348484390526565549e-5,
        4.8774053950090860072e-7,
        1.6317369192825467154e-8,
        4.9920408958513916105e-10,
        1.3732993839962433877e-11,
        3.3082039467037201376e-13,
        6.6166814074986143263e-15,
    ], // truncation 3.0e-18
    [
        7.3264121178667402379e-2,
        9.982122798210283621e-3,
        4.4174088907465482714e-4,
        1.8127655621486656256e-5,
        6.8510996985161960439e-7,
        2.3623622180797534196e-8,
        7.3326806591968117095e-10,
        2.0069983312757982077e-11,
        4.6782875856732019208e-13,
        8.6193589094730243239e-15,
    ], // truncation 2.3e-18
    [
        9.515211891412836361e-2,
        1.1990581908808140004e-2,
        5.6902970203826124849e-4,
        2.468292815242785499e-5,
        9.715216620931015502e-7,
        3.4336371697138024567e-8,
        1.0727405426343330217e-9,
        2.888646069401225229e-11,
        6.4030024624672382567e-13,
        1.0477860890603543283e-14,
    ], // truncation 1.5e-18
    [
        1.2162358059778751546e-1,
        1.4596951045066392123e-2,
        7.4346876628510221748e-4,
        3.4017575816692759194e-5,
        1.388098208866583737e-6,
        4.9944212437678120497e-8,
        1.5561280282666124638e-9,
        4.0704202097999717354e-11,
        8.4056464214359603073e-13,
        1.1588015912646467554e-14,
    ], // truncation 3.4e-19
    [
        1.5408741116919218705e-1,
        1.8027769599235368457e-2,
        9.8528649895035169197e-4,
        4.7393473573433963925e-5,
        1.9932934856203998735e-6,
        7.2436911705403514093e-8,
        2.2279417250727929224e-9,
        5.5824991211018470487e-11,
        1.0481567278962777987e-12,
        1.1151874309467438023e-14,
    ], // truncation 8.4e-19
    [
        1.944976048368600386e-1,
        2.2607671495554124494e-2,
        1.3238554864170393735e-3,
        6.6626967849455614379e-5,
        2.8681880224757607922e-6,
        1.0435291240805568659e-7,
        3.1340766501706970884e-9,
        7.410496479873896412e-11,
        1.2278047485021476004e-12,
        8.3635929057753521963e-15,
    ], // truncation 1.9e-18
    [
        2.4559082620281671027e-1,
        2.880338352275244203e-2,
        1.8016062530518075136e-3,
        9.4291782219881893134e-5,
        4.1219175346065174277e-6,
        1.4875194772845753278e-7,
        4.3139502592754443156e-9,
        9.4729111307368537272e-11,
        1.3318057924575595387e-12,
        2.700191399057580345e-15,
    ], // truncation 2.5e-18
    [
        3.1122935182144751991e-1,
        3.7285983524511273506e-2,
        2.4792845252771321654e-3,
        1.3396287766705630401e-4,
        5.8962966363961705185e-6,
        2.0907604419037033262e-7,
        5.7899522573481744963e-9,
        1.1606738410901704953e-10,
        1.3078691058842203067e-12,
        -5.7830796818302805781e-15,
    ], // truncation 2.7e-18
    [
        3.9689157691768232539e-1,
        4.9017248727020372486e-2,
        3.4427688932316407198e-3,
        1.9048998966698418242e-4,
        8.3683892179301123277e-6,
        2.8887591555060454523e-7,
        7.5559431215607374005e-9,
        1.3569439640913186129e-10,
        1.1112938811639717887e-12,
        -1.628805256988771729e-14,
    ], // truncation 2.4e-18
    [
        5.1036470934388000893e-1,
        6.5366615335133150684e-2,
        4.8115667708820522138e-3,
        2.7027897743021585421e-4,
        1.1749672379335424199e-5,
        3.9140670902974261145e-7,
        9.5674707323381187219e-9,
        1.5061788282186953201e-10,
        7.1814006984745015995e-13,
        -2.7337384637672467807e-14,
    ], // truncation 1.8e-18
    [
        6.6270759045666654024e-1,
        8.8265437302704623479e-2,
        6.7489438744356429339e-3,
        3.8154890018677688376e-4,
        1.6280649155847536799e-5,
        5.1913122803541138833e-7,
        1.173657994828290944e-8,
        1.5769749397605821905e-10,
        1.3509126747612020533e-13,
        -3.7069973798575066701e-14,
    ], // truncation 1.1e-18
    [
        8.6956450568889376012e-1,
        1.20404634997467916e-1,
        9.4734261736522270582e-3,
        5.3452554421966321369e-4,
        2.2220309063686511498e-5,
        6.7319980861549658918e-7,
        1.393336421882009893e-8,
        1.5417101384896503498e-10,
        -5.9742746040809130027e-13,
        -4.3673185232627006906e-14,
    ], // truncation 4.4e-19
];
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
// x >= 12: x*sqrt(pi)*erfcx(x) = P(1/x^2), truncation 1.4e-20
const ERFCX_W: [f64; 9] = [
    9.9999999999999999999e-1,
    -4.9999999999999966556e-1,
    7.4999999999870981529e-1,
    -1.8749999980811669995,
    6.5624985675530799888,
    -2.9530647352665117243e+1,
    1.6227208503576989678e+2,
    -1.0337927515549534455e+3,
    6.1334587029680585535e+3,
];
