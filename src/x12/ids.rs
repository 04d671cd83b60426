//! The segment identifiers remit dispatches on, as [`SegmentId`]
//! integers: `match seg.code() { ids::CLP => … }` compares one integer
//! where matching `seg.id()` against byte strings compares slices.

use super::SegmentId;

/// `AMT`.
pub const AMT: SegmentId = SegmentId::of(b"AMT");
/// `BHT`.
pub const BHT: SegmentId = SegmentId::of(b"BHT");
/// `BPR`.
pub const BPR: SegmentId = SegmentId::of(b"BPR");
/// `CAS`.
pub const CAS: SegmentId = SegmentId::of(b"CAS");
/// `CLM`.
pub const CLM: SegmentId = SegmentId::of(b"CLM");
/// `CLP`.
pub const CLP: SegmentId = SegmentId::of(b"CLP");
/// `CUR`.
pub const CUR: SegmentId = SegmentId::of(b"CUR");
/// `DMG`.
pub const DMG: SegmentId = SegmentId::of(b"DMG");
/// `DTM`.
pub const DTM: SegmentId = SegmentId::of(b"DTM");
/// `DTP`.
pub const DTP: SegmentId = SegmentId::of(b"DTP");
/// `GE`.
pub const GE: SegmentId = SegmentId::of(b"GE");
/// `GS`.
pub const GS: SegmentId = SegmentId::of(b"GS");
/// `HI`.
pub const HI: SegmentId = SegmentId::of(b"HI");
/// `HL`.
pub const HL: SegmentId = SegmentId::of(b"HL");
/// `IEA`.
pub const IEA: SegmentId = SegmentId::of(b"IEA");
/// `ISA`.
pub const ISA: SegmentId = SegmentId::of(b"ISA");
/// `LIN`.
pub const LIN: SegmentId = SegmentId::of(b"LIN");
/// `LQ`.
pub const LQ: SegmentId = SegmentId::of(b"LQ");
/// `LX`.
pub const LX: SegmentId = SegmentId::of(b"LX");
/// `MIA`.
pub const MIA: SegmentId = SegmentId::of(b"MIA");
/// `MOA`.
pub const MOA: SegmentId = SegmentId::of(b"MOA");
/// `N1`.
pub const N1: SegmentId = SegmentId::of(b"N1");
/// `N3`.
pub const N3: SegmentId = SegmentId::of(b"N3");
/// `N4`.
pub const N4: SegmentId = SegmentId::of(b"N4");
/// `NM1`.
pub const NM1: SegmentId = SegmentId::of(b"NM1");
/// `PER`.
pub const PER: SegmentId = SegmentId::of(b"PER");
/// `PLB`.
pub const PLB: SegmentId = SegmentId::of(b"PLB");
/// `QTY`.
pub const QTY: SegmentId = SegmentId::of(b"QTY");
/// `RDM`.
pub const RDM: SegmentId = SegmentId::of(b"RDM");
/// `REF`.
pub const REF: SegmentId = SegmentId::of(b"REF");
/// `SBR`.
pub const SBR: SegmentId = SegmentId::of(b"SBR");
/// `SE`.
pub const SE: SegmentId = SegmentId::of(b"SE");
/// `ST`.
pub const ST: SegmentId = SegmentId::of(b"ST");
/// `SV1`.
pub const SV1: SegmentId = SegmentId::of(b"SV1");
/// `SV2`.
pub const SV2: SegmentId = SegmentId::of(b"SV2");
/// `SV3`.
pub const SV3: SegmentId = SegmentId::of(b"SV3");
/// `SVC`.
pub const SVC: SegmentId = SegmentId::of(b"SVC");
/// `SVD`.
pub const SVD: SegmentId = SegmentId::of(b"SVD");
/// `TA1`.
pub const TA1: SegmentId = SegmentId::of(b"TA1");
/// `TRN`.
pub const TRN: SegmentId = SegmentId::of(b"TRN");
/// `TS2`.
pub const TS2: SegmentId = SegmentId::of(b"TS2");
/// `TS3`.
pub const TS3: SegmentId = SegmentId::of(b"TS3");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_differ_and_read_back() {
        let all = [
            (AMT, &b"AMT"[..]),
            (BHT, &b"BHT"[..]),
            (BPR, &b"BPR"[..]),
            (CAS, &b"CAS"[..]),
            (CLM, &b"CLM"[..]),
            (CLP, &b"CLP"[..]),
            (CUR, &b"CUR"[..]),
            (DMG, &b"DMG"[..]),
            (DTM, &b"DTM"[..]),
            (DTP, &b"DTP"[..]),
            (GE, &b"GE"[..]),
            (GS, &b"GS"[..]),
            (HI, &b"HI"[..]),
            (HL, &b"HL"[..]),
            (IEA, &b"IEA"[..]),
            (ISA, &b"ISA"[..]),
            (LIN, &b"LIN"[..]),
            (LQ, &b"LQ"[..]),
            (LX, &b"LX"[..]),
            (MIA, &b"MIA"[..]),
            (MOA, &b"MOA"[..]),
            (N1, &b"N1"[..]),
            (N3, &b"N3"[..]),
            (N4, &b"N4"[..]),
            (NM1, &b"NM1"[..]),
            (PER, &b"PER"[..]),
            (PLB, &b"PLB"[..]),
            (QTY, &b"QTY"[..]),
            (RDM, &b"RDM"[..]),
            (REF, &b"REF"[..]),
            (SBR, &b"SBR"[..]),
            (SE, &b"SE"[..]),
            (ST, &b"ST"[..]),
            (SV1, &b"SV1"[..]),
            (SV2, &b"SV2"[..]),
            (SV3, &b"SV3"[..]),
            (SVC, &b"SVC"[..]),
            (SVD, &b"SVD"[..]),
            (TA1, &b"TA1"[..]),
            (TRN, &b"TRN"[..]),
            (TS2, &b"TS2"[..]),
            (TS3, &b"TS3"[..]),
        ];
        for (i, (a, name)) in all.iter().enumerate() {
            assert_eq!(*a, SegmentId::of(name));
            assert_ne!(*a, SegmentId::OTHER);
            for (b, other) in &all[i + 1..] {
                assert_ne!(a, b, "{name:?} {other:?}");
            }
        }
        assert_eq!(SegmentId::of(b"S"), SegmentId::OTHER);
        assert_eq!(SegmentId::of(b"NM31"), SegmentId::OTHER);
        assert_eq!(SegmentId::of(b"ST\0"), SegmentId::OTHER);
    }
}
