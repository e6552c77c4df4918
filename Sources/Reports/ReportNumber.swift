import Foundation
import TextFormat

/// A compact number for reports: integers plain, others to four significant digits.
func fmt(_ v: Double) -> String { NumberText.compact(v) }

/// A coordinate with three decimals.
func fmtCoord(_ v: Double) -> String { NumberText.fixed(v, 3, nonFinite: "nan") }

/// A share as a percentage with two decimals; "-" when unknown.
func percent(_ share: Double) -> String { share.isFinite ? String(format: "%.2f %%", 100 * share) : "-" }
