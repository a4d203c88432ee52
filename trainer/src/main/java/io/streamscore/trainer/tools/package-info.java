/**
 * Commands for working on the trainer rather than for training models: {@code generate} writes the example data sets
 * and {@code bench} measures the pass and the solvers. They are kept out of {@code cli} so the production core never
 * depends on them: they use data, optim and synthetic like any caller, and
 * {@link io.streamscore.trainer.cli.TrainerCli} only registers them as subcommands (they do not use its classes, not
 * even its exit codes), so they can change, or leave the jar, without touching training or publishing.
 */
package io.streamscore.trainer.tools;
