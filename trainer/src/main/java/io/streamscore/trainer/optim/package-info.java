/**
 * Fitting: {@link io.streamscore.trainer.optim.LogisticRegressionTrainer} minimizes the penalized log-loss by gradient
 * descent or L-BFGS, both on one fused pass over the data (SIMD or scalar kernel, the same bits on any thread count)
 * and both stopped by one rule that calls a run converged only when the gradient is small.
 */
package io.streamscore.trainer.optim;
