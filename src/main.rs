fn main() {
    println!("ccplan");
}
