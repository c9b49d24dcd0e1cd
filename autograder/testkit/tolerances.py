"""Every tolerance the hidden suites use, and why it is what it is. One place, on purpose.

eps = 2.2e-16 is the spacing of float64 numbers near 1.

SAME_FORMULA
    The student computes the very formula the reference computes, e.g. (f(x+h) - f(x)) / h.
    A loop instead of a vectorised expression, or a sum in another order, changes each
    rounding, so results may differ by a few ulps per operation, growing like n * eps for a
    mean over n terms. 1e-9 relative is far above that (n <= 1e4 gives ~2e-12) and far below
    any real mistake (a missing factor 2 is 100 %, an off-by-one in a mean over 100 terms 1 %).

FORWARD_DIFFERENCE vs the exact derivative
    (f(x+h) - f(x)) / h = f'(x) + h f''(x)/2 + O(h^2) (truncation), plus rounding of about
    eps |f(x)| / h. With h = 1e-6 and |f|, |f''| of order 1-10 on our inputs, the error is
    below 1e-5 + 1e-9; we allow 1e-4 relative with an absolute floor of 1e-4.

CENTRAL_DIFFERENCE vs the exact derivative
    (f(x+h) - f(x-h)) / (2h) = f'(x) + h^2 f'''(x)/6 + ..., rounding about eps |f| / h. With
    h = 1e-5: 1e-10 * |f'''| + 2e-11 * |f| -> we allow 1e-6 relative, 1e-6 absolute. A forward
    difference (error ~ h |f''| / 2 = 5e-6 |f''|) fails this on curved functions, which is how
    the suite tells the two formulas apart.

AUTOGRAD
    torch autograd in float64 evaluates the same chain of elementary operations as an
    analytic formula; the results agree to a few ulps. 1e-9 relative, 1e-12 absolute.

DESCENT
    Gradient descent iterates: a result after k steps computed with re-associated arithmetic
    drifts by about k * eps relative to the reference. With at most a few thousand steps,
    1e-9 relative (absolute 1e-12) still separates every real mistake.
"""

SAME_FORMULA = dict(rtol=1e-9, atol=1e-12)
FORWARD_DIFFERENCE = dict(rtol=1e-4, atol=1e-4)
CENTRAL_DIFFERENCE = dict(rtol=1e-6, atol=1e-6)
AUTOGRAD = dict(rtol=1e-9, atol=1e-12)
DESCENT = dict(rtol=1e-9, atol=1e-12)

# ps6_recommender. TORCH_OPTIMISER: a student's momentum_step / adam_step is iterated from the
#     same start as torch.optim.SGD(momentum) / torch.optim.Adam and fed the same function's
#     gradient at its own iterate (numpy here, autograd there). torch re-associates the same
#     formulas (exp_avg.lerp_, addcmul_, sqrt(v) / sqrt(1 - beta2**t) + eps, one fused step size),
#     so each step differs by a few ulps; on the suite's test functions the largest difference
#     measured over 100-300 steps is 1.1e-15. 1e-9 relative (1e-12 absolute, for coordinates that pass
#     near 0) is far above that and far below a real mistake (eps under the square root with
#     eps = 0.1 changes the first step by several %, a missing bias correction by a factor ~3).
# ADAM_FIRST_STEP only chooses adam_step's message: at t = 1 every coordinate moves by
#     lr |g| / (|g| + eps), within eps / |g| <= 3.4e-6 of lr for the suite's gradients (|g| >= 0.003);
#     without bias correction the step is lr (1 - beta1) / sqrt(1 - beta2) ~ 3.16 lr. 1e-3 separates them.
TORCH_OPTIMISER = dict(rtol=1e-9, atol=1e-12)
ADAM_FIRST_STEP = dict(rtol=1e-3, atol=0.0)

# ps5_backprop. TRAINING: a student's train_mlp (a two-layer ReLU network trained by full-batch
#     descent on the softmax cross-entropy) against the reference and against the same descent
#     with gradients by torch autograd (F.cross_entropy), for at most 8 epochs, learning rates up
#     to 3.0, 6 to 18 spiral points. torch sums the matrix products in another order, so each step
#     differs by a few ulps, and the network's step map amplifies that only mildly: measured on the
#     suite's cases the parameters differ by at most 1.1e-16 absolute (1.6e-14 relative, on a bias
#     near 0) and the losses by 4.4e-16; even 300 epochs on the notebook's 300-point spiral stay
#     at 2.3e-14 absolute. A ReLU unit whose pre-activation lay within rounding of 0 could switch
#     sides, but on random inputs that is a ~1e-13 event. 1e-9 relative (1e-12 absolute) is far
#     above the drift and far below a real mistake: one step at a wrong learning rate, a loss
#     recorded after the update or an unchanged parameter dict differ by more than 1e-3.
TRAINING = dict(rtol=1e-9, atol=1e-12)
