// Portal users. User 1 is an administrator (the installing admin), user 2 is not (docs/bitrix24.md §0.2).

export interface User {
    id: number;
    name: string;
    lastName: string;
    admin: boolean;
    active: boolean;
}

export class UserStore {
    private readonly users = new Map<number, User>();

    constructor() {
        this.add({ id: 1, name: 'Admin', lastName: 'Portal', admin: true, active: true });
        this.add({ id: 2, name: 'Employee', lastName: 'Portal', admin: false, active: true });
    }

    add(user: User): User {
        this.users.set(user.id, user);
        return user;
    }

    create(admin: boolean): User {
        const id = Math.max(0, ...this.users.keys()) + 1;
        return this.add({ id, name: `User ${id}`, lastName: 'Portal', admin, active: true });
    }

    get(id: number): User | undefined {
        return this.users.get(id);
    }

    isAdmin(id: number): boolean {
        return this.users.get(id)?.admin === true;
    }
}
