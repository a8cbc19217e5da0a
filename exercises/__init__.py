"""The lessons' exercises whose answer is a number or a function, written as functions.

Each lesson that ends with such an exercise has a module here, ``exercises/lessonNN.py``: one
function per answer, its docstring stating what it returns and the equation, its body marked
like the textbook code's parts (a ``# HINT:`` line, then ``# BEGIN SOLUTION`` / ``# END
SOLUTION`` around the instructor's code; see `gan.course.edition`). The student edition
(``python -m gan course student OUT``) replaces each body by ``raise NotImplementedError(hint)``.

The autograder grades them against the theory, one part per module, none by default:

    python -m gan check exercises       every exercise part
    python -m gan check ex05            lesson 05's exercises only

    ex01  the period of an LCG by enumeration; the shortest normal of the lines of its pairs
    ex02  the inverse-transform map u -> mu + sigma Phi^{-1}(u); the polar method's normals
          per uniform, pi/4
    ex03  the gradients of a sigmoid network, against finite differences
    ex04  D's loss at D*, log 4 - 2 JSD; the quadratic logit of D* for two normals
    ex05  the best normal fit to a target by C(G); the slope dC/dmu along a slice
    ex07  the slopes of the two generator losses in D's logit, as functions of D
    ex24  the extragradient map on the bilinear game and its factor 1 - h^2 + h^4
    ex25  the Hellinger distance's conjugate f*(t) = t / (1 - t) and its value for two normals

The worked answers, with the reasoning, are in lessons/solutions/ (the instructor's).
"""
