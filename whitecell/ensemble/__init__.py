"""Monte Carlo ensembles: many automated plays of one scenario, with honest statistics."""
