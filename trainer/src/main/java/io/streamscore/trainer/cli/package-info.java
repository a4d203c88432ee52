/**
 * The production command line and the jar's main class, {@link io.streamscore.trainer.cli.TrainerCli}: {@code train}
 * (load, fit, report, publish), {@code publish} and {@code models} (steer the model topic), with the console output
 * they share. Commands only parse flags, call the other packages and print; the work itself lives in data, optim, eval
 * and kafka.
 */
package io.streamscore.trainer.cli;
