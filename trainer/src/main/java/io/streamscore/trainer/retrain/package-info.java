/**
 * Retraining from outcomes with a quality gate: the time range and the time-ordered holdout ({@link
 * io.streamscore.trainer.retrain.TimeRange}, {@link io.streamscore.trainer.retrain.Holdout}), the gate's metrics and
 * verdict as pure functions ({@link io.streamscore.trainer.retrain.GateMetric}, {@link
 * io.streamscore.trainer.retrain.Gate}), the decision record ({@link io.streamscore.trainer.retrain.Decision}, {@link
 * io.streamscore.trainer.retrain.DecisionJson}), drift records and when they trigger a round ({@link
 * io.streamscore.trainer.retrain.DriftRecord}, {@link io.streamscore.trainer.retrain.DriftTrigger}), and the I/O around
 * them: one round ({@link io.streamscore.trainer.retrain.Retrainer}) and the watch loop ({@link
 * io.streamscore.trainer.retrain.RetrainWatch}). {@code trainer retrain} (docs/cli.md, docs/outcomes.md) drives them.
 */
package io.streamscore.trainer.retrain;
