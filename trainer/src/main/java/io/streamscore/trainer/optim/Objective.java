package io.streamscore.trainer.optim;

/** The training objective as an optimizer sees it: value and gradient at θ, from one pass over the data. */
@FunctionalInterface
interface Objective {
    /**
     * @param theta    (b, w_1 … w_k)
     * @param gradient receives ∇f(θ)
     * @return f(θ)
     */
    double evaluate(double[] theta, double[] gradient);
}
