/**
 * How good a model is on a data set ({@link io.streamscore.trainer.eval.ClassificationMetrics}: log-loss, confusion
 * matrix, ROC AUC); {@code report} turns a training run into an HTML page with charts.
 */
package io.streamscore.trainer.eval;
