//! Both backends have the same migrations, by name.

#[test]
fn both_backends_have_the_same_migration_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let names = |backend: &str| {
        let mut names: Vec<String> = std::fs::read_dir(root.join(backend).join("migrations"))
            .expect("migrations folder")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    };
    let sqlite = names("anxin-store-sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("anxin-store-postgres"));
}
