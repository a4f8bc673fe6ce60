"""The reports' writes, by noun: `reports` (a unit's report: build, submit, accept, return, the
calendar's daily run), `calendar` (the kinds of report and their addressing, kept by staff), `plans`
(plans, targets and the child population)."""
