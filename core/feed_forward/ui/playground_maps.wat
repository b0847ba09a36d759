;; The Playground's heat maps in WebAssembly SIMD: one layer of the network over the canvas's cells, four cells at a
;; time in float32 (a picture's precision; training stays in float64 in playground_engine.js, which calls this).
;; Built by `make wasm` (wat2wasm, from Debian's wabt, which make test installs); the built bytes are shipped beside it.
;; Values are kept neuron by neuron, (neurons × cells), as the engine keeps them; offsets are in bytes.
(module
  (memory (export "memory") 1)

  ;; tanh's constants, kept as globals: read from memory, not rebuilt at each use
  (global $tanh_limit v128 (v128.const f32x4 7.9053111 7.9053111 7.9053111 7.9053111))
  (global $p13 v128 (v128.const f32x4 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16))
  (global $p11 v128 (v128.const f32x4 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13))
  (global $p9 v128 (v128.const f32x4 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11))
  (global $p7 v128 (v128.const f32x4 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08))
  (global $p5 v128 (v128.const f32x4 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05))
  (global $p3 v128 (v128.const f32x4 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04))
  (global $p1 v128 (v128.const f32x4 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03))
  (global $q6 v128 (v128.const f32x4 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06))
  (global $q4 v128 (v128.const f32x4 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04))
  (global $q2 v128 (v128.const f32x4 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03))
  (global $q0 v128 (v128.const f32x4 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03))

  ;; tanh to within 4e-7: an odd rational function of z clamped to ±7.9 (Eigen's fast tanh for float32):
  ;; x·p(y)/q(y) with y = x², p of degree 6 and q of degree 3, each summed by Estrin's scheme (terms in pairs, then
  ;; pairs of pairs: shorter chains of dependent steps than Horner's). NaN stays NaN (min and max carry it), ±∞ gives ±1.
  (func $tanh (param $z v128) (result v128)
    (local $x v128) (local $y v128) (local $y2 v128) (local $p v128) (local $q v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $z) (f32x4.neg (global.get $tanh_limit))) (global.get $tanh_limit)))
    (local.set $y (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $y2 (f32x4.mul (local.get $y) (local.get $y)))
    (local.set $p (f32x4.add
      (f32x4.add (f32x4.add (global.get $p1) (f32x4.mul (global.get $p3) (local.get $y)))
                 (f32x4.mul (local.get $y2) (f32x4.add (global.get $p5) (f32x4.mul (global.get $p7) (local.get $y)))))
      (f32x4.mul (f32x4.mul (local.get $y2) (local.get $y2))
                 (f32x4.add (f32x4.add (global.get $p9) (f32x4.mul (global.get $p11) (local.get $y)))
                            (f32x4.mul (global.get $p13) (local.get $y2))))))
    (local.set $q (f32x4.add (f32x4.add (global.get $q0) (f32x4.mul (global.get $q2) (local.get $y)))
                             (f32x4.mul (local.get $y2) (f32x4.add (global.get $q4) (f32x4.mul (global.get $q6) (local.get $y))))))
    (f32x4.div (f32x4.mul (local.get $p) (local.get $x)) (local.get $q)))

  ;; f(z): 0 none, 1 tanh, 2 ReLU, 3 sigmoid = ½ + ½ tanh(z/2).
  (func $activate (param $z v128) (param $f i32) (result v128)
    (if (result v128) (i32.eq (local.get $f) (i32.const 1))
      (then (call $tanh (local.get $z)))
      (else (if (result v128) (i32.eq (local.get $f) (i32.const 2))
        (then (f32x4.max (local.get $z) (v128.const f32x4 0 0 0 0)))
        (else (if (result v128) (i32.eq (local.get $f) (i32.const 3))
          (then (f32x4.add (v128.const f32x4 0.5 0.5 0.5 0.5)
                           (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5)
                                      (call $tanh (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5) (local.get $z))))))
          (else (local.get $z))))))))

  ;; out[j·n + p] = f(b[j] + Σ_i in[i·n + p] · w[i·m + j]) for the outputs j < fanOut and every cell p, four outputs
  ;; and four cells at a time: n is a multiple of 4, w is (fanIn × m) row by row with m = fanOut rounded up to a
  ;; multiple of 4 (the padding's weights 0), b has m values; the padding's outputs are computed, never kept.
  (func (export "layer") (param $in i32) (param $fanIn i32) (param $w i32) (param $b i32) (param $out i32)
                         (param $fanOut i32) (param $n i32) (param $f i32)
    (local $row i32) (local $stride i32) (local $cell i32) (local $src i32) (local $weight i32) (local $i i32)
    (local $v v128) (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128) (local $at i32)
    (local.set $row (i32.shl (local.get $n) (i32.const 2)))  ;; one neuron's values, in bytes
    (local.set $stride (i32.and (i32.add (i32.shl (local.get $fanOut) (i32.const 2)) (i32.const 15)) (i32.const -16)))  ;; w's row, in bytes
    (block $blocks_done
      (loop $each_block
        (br_if $blocks_done (i32.le_s (local.get $fanOut) (i32.const 0)))
        (local.set $cell (i32.const 0))
        (block $cells_done
          (loop $cells
            (br_if $cells_done (i32.ge_u (local.get $cell) (local.get $row)))
            (local.set $z0 (v128.load32_splat (local.get $b)))
            (local.set $z1 (v128.load32_splat offset=4 (local.get $b)))
            (local.set $z2 (v128.load32_splat offset=8 (local.get $b)))
            (local.set $z3 (v128.load32_splat offset=12 (local.get $b)))
            (local.set $src (i32.add (local.get $in) (local.get $cell)))
            (local.set $weight (local.get $w))
            (local.set $i (local.get $fanIn))
            (block $inputs_done
              (loop $inputs
                (br_if $inputs_done (i32.eqz (local.get $i)))
                (local.set $v (v128.load (local.get $src)))
                (local.set $z0 (f32x4.add (local.get $z0) (f32x4.mul (local.get $v) (v128.load32_splat (local.get $weight)))))
                (local.set $z1 (f32x4.add (local.get $z1) (f32x4.mul (local.get $v) (v128.load32_splat offset=4 (local.get $weight)))))
                (local.set $z2 (f32x4.add (local.get $z2) (f32x4.mul (local.get $v) (v128.load32_splat offset=8 (local.get $weight)))))
                (local.set $z3 (f32x4.add (local.get $z3) (f32x4.mul (local.get $v) (v128.load32_splat offset=12 (local.get $weight)))))
                (local.set $src (i32.add (local.get $src) (local.get $row)))
                (local.set $weight (i32.add (local.get $weight) (local.get $stride)))
                (local.set $i (i32.sub (local.get $i) (i32.const 1)))
                (br $inputs)))
            (local.set $at (i32.add (local.get $out) (local.get $cell)))
            (v128.store (local.get $at) (call $activate (local.get $z0) (local.get $f)))
            (if (i32.gt_u (local.get $fanOut) (i32.const 1)) (then
              (local.set $at (i32.add (local.get $at) (local.get $row)))
              (v128.store (local.get $at) (call $activate (local.get $z1) (local.get $f)))
              (if (i32.gt_u (local.get $fanOut) (i32.const 2)) (then
                (local.set $at (i32.add (local.get $at) (local.get $row)))
                (v128.store (local.get $at) (call $activate (local.get $z2) (local.get $f)))
                (if (i32.gt_u (local.get $fanOut) (i32.const 3)) (then
                  (local.set $at (i32.add (local.get $at) (local.get $row)))
                  (v128.store (local.get $at) (call $activate (local.get $z3) (local.get $f)))))))))
            (local.set $cell (i32.add (local.get $cell) (i32.const 16)))
            (br $cells)))
        ;; the next four outputs: their biases, their columns of w, their rows of out
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2))))
        (local.set $fanOut (i32.sub (local.get $fanOut) (i32.const 4)))  ;; the outputs left
        (br $each_block)))))
